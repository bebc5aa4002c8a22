import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOpenAICoach } from '../../coaches/llm/openaiCoachPlugin.js';
import { builtinTemplateNames } from '../../coaches/llm/resolveCoachTemplate.js';
import type { CoachInput } from '../../core/contracts/Coach.js';
import { sampleAction, sampleCoachInput } from '../conformance/coachConformance.js';
import { tempDir } from './coachFixtures.js';

// No request is made: only the prompt is rendered.
const coach = (template: string, extra: Record<string, unknown> = {}, baseDir?: string) =>
  createOpenAICoach({ baseURL: 'http://127.0.0.1:9/v1', model: 'm', template, ...extra }, baseDir ? { baseDir } : {});

function dsInput(role: string, position: number, extras: Record<string, unknown>, o: Partial<CoachInput> = {}): CoachInput {
  const action = sampleAction({ agentId: role.toLowerCase().replace(' ', '_'), role, text: '```python\nimport pandas as pd\n```' });
  const { groundTruth: _gt, ...input } = sampleCoachInput({
    task: { id: 'ds1', prompt: 'Predict the target column of test.csv.', metadata: { taskType: extras['taskType'] ?? 'classification' } },
    agent: { id: action.agentId, role, position, count: 3 },
    action: action.text,
    actionRecord: action,
    extras,
    ...o,
  });
  return input;
}

describe('built-in coach templates', () => {
  it('ships mathchat, dsbench and generic', () => {
    expect(builtinTemplateNames()).toEqual(expect.arrayContaining(['dsbench', 'generic', 'mathchat']));
  });

  it('mathchat: role-specific checks, tool output, and ANSWER_CORRECT only with ground truth', async () => {
    const c = await coach('builtin:mathchat');
    const coder = sampleAction({ agentId: 'coder', role: 'Code Executor', text: '```python\nprint(2+3)\n```' });
    const coderPrompt = await c.renderPrompt(
      sampleCoachInput({
        agent: { id: 'coder', role: 'Code Executor', position: 1, count: 3 },
        action: coder.text,
        actionRecord: coder,
        toolOutput: '5',
        groundTruth: undefined,
        extras: {},
      }),
    );
    expect(coderPrompt).toContain('Checks for the Code Executor');
    expect(coderPrompt).toContain('<tool_output>\n5\n</tool_output>');
    expect(coderPrompt).not.toContain('ANSWER_CORRECT');
    expect(coderPrompt).not.toContain('Ground-truth');
    expect(coderPrompt).not.toMatch(/\n\n\n/);

    const verifierPrompt = await c.renderPrompt(sampleCoachInput({ extras: { answer: '5' } }));
    expect(verifierPrompt).toContain('Checks for the Verifier');
    expect(verifierPrompt).toContain('N/A (no tools used)');
    expect(verifierPrompt).toContain('Final answer extracted from this output: 5');
    expect(verifierPrompt).toContain('## Ground-truth answer');
    expect(verifierPrompt).toMatch(/PROCESS_SCORE: <number from 0 to 10>\nANSWER_CORRECT:/);
  });

  it('dsbench: blame protocol, file hand-off facts and the missing-artifact warning', async () => {
    const c = await coach('builtin:dsbench');
    const prompt = await c.renderPrompt(
      dsInput('Analyst', 2, {
        filesAvailable: ['train.csv', 'test.csv', 'X_train.pkl', 'y_train.pkl', 'model.pkl'],
        filesFromPreviousAgents: 'Data Engineer saved: X_train.pkl, y_train.pkl / Modeler saved: model.pkl',
        filesWrittenByAction: [],
        taskType: 'classification',
        missingArtifactWarning: 'CRITICAL FILES MISSING: X_test.pkl',
      }, { toolOutput: "FileNotFoundError: [Errno 2] No such file or directory: 'X_test.pkl'" }),
    );
    expect(prompt).toContain('X_test.pkl is CRITICAL');
    expect(prompt).toContain("is the Data Engineer's fault");
    expect(prompt).toContain("For model.pkl it is the Modeler's fault");
    expect(prompt).toContain('failed ONLY because an upstream file was missing is not to blame');
    expect(prompt).toContain('without executable ```python code');
    expect(prompt).toContain('Files saved by previous agents: Data Engineer saved: X_train.pkl, y_train.pkl / Modeler saved: model.pkl');
    expect(prompt).toContain('Files saved by this action: NONE');
    expect(prompt).toContain('WARNING: CRITICAL FILES MISSING: X_test.pkl');
    expect(prompt).toContain("No such file or directory: 'X_test.pkl'");
    expect(prompt).toContain('For the Analyst');
    // No metrics yet, so no caps, and DSBench never asks for ANSWER_CORRECT by default.
    expect(prompt).not.toContain('MANDATORY score caps');
    expect(prompt).not.toContain('ANSWER_CORRECT');
    expect(c.asksAnswerCorrect({ ...dsInput('Analyst', 2, {}), groundTruth: 'metrics' })).toBe(false);
  });

  it.each<[string, Record<string, number>, string]>([
    ['classification', { roc_auc: 0.9, accuracy: 0.5 }, 'ROC-AUC 0.9) the Analyst\'s score may not exceed 9'],
    ['classification', { accuracy: 0.6 }, 'accuracy 0.6) the Analyst\'s score may not exceed 4'],
    ['classification', { accuracy: 0.5 }, 'may not exceed 3'],
    ['regression', { rmse_pct_of_range: 18 }, 'RMSE 18% of the target range) the Analyst\'s score may not exceed 8'],
    ['regression', { rmse_pct_of_range: 70 }, 'may not exceed 4'],
  ])('dsbench: applies the %s score cap for %j', async (taskType, metrics, expected) => {
    const c = await coach('builtin:dsbench');
    const prompt = await c.renderPrompt(dsInput('Analyst', 2, { taskType, metrics, metricsText: `metrics: ${JSON.stringify(metrics)}` }));
    expect(prompt).toContain('MANDATORY score caps');
    expect(prompt).toContain(expected);
  });

  it('dsbench: renders with none of the optional extras', async () => {
    const c = await coach('builtin:dsbench');
    const prompt = await c.renderPrompt(dsInput('Data Engineer', 0, {}));
    expect(prompt).toContain('For the Data Engineer');
    expect(prompt).not.toContain('WARNING');
  });

  it('truncates earlier tool outputs to previousToolOutputLimit', async () => {
    const c = await coach('builtin:generic', { previousToolOutputLimit: 100 });
    const long = 'x'.repeat(1000);
    const prompt = await c.renderPrompt(sampleCoachInput({ previousActions: [sampleAction({ role: 'Solver', text: 'earlier', toolOutput: long })] }));
    expect(prompt).toContain('[Solver] earlier');
    expect(prompt).toContain('truncated 900 chars');
    expect(prompt).not.toContain('x'.repeat(200));
  });

  it('uses a template file relative to the pipeline directory, and names it in errors', async () => {
    const { dir, remove } = tempDir();
    try {
      writeFileSync(join(dir, 'mine.liquid'), 'Role {{ agent.role }} did: {{ action }}{% if extras.note %} ({{ extras.note }}){% endif %}\nPROCESS_SCORE: <0-10>');
      const c = await coach('./mine.liquid', {}, dir);
      expect(await c.renderPrompt(sampleCoachInput({ extras: { note: 'hi' } }))).toContain('Role Verifier did: The answer is \\boxed{5} (hi)');
      writeFileSync(join(dir, 'typo.liquid'), '{{ agnet.role }}');
      const bad = await coach('typo.liquid', {}, dir);
      await expect(bad.renderPrompt(sampleCoachInput())).rejects.toThrow(/typo\.liquid.*undefined variable: agnet/);
    } finally {
      remove();
    }
  });

  it('reports a missing template or unknown built-in with the fix', async () => {
    await expect(coach('builtin:nope')).rejects.toThrow(/no built-in coach template "nope"/);
    await expect(coach('./missing.liquid')).rejects.toThrow(/coach\.template: file not found/);
  });
});
