import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { DsbenchCoachFactsSchema } from '../../environments/dsbench/coachFacts.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../core/contracts/AgentSpec.js';
import type { Environment, EpisodeEnvironment } from '../../core/contracts/Environment.js';
import type { ActionRecord } from '../../core/model/Action.js';
import type { AgentTurn } from '../../core/model/Episode.js';
import type { Task } from '../../core/model/Task.js';
import { createDsbenchEnvironment } from '../../environments/dsbench/dsbenchEnvironmentPlugin.js';
import type { DsbenchTaskFiles } from '../../environments/dsbench/DsbenchTaskMeta.js';
import { loadDsbenchTasks } from '../../environments/dsbench/loadDsbenchTasks.js';
import { agentSpec, describeEnvironmentConformance } from '../conformance/environmentConformance.js';
import { createBubblewrapSandbox } from '../../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.js';
import { CannedSandbox, finished } from '../fakes/cannedSandbox.js';
import { countingSandbox } from '../fakes/countingSandbox.js';

const tasks = await loadDsbenchTasks({});
const titanic = tasks.find((t) => t.id === 'titanic-mini')!;
const AGENTS: AgentSpec[] = [
  agentSpec({ id: 'data_engineer', role: 'Data Engineer', tools: ['python'], maxActions: 4 }),
  agentSpec({ id: 'modeler', role: 'Modeler', tools: ['python'], maxActions: 4, reads: ['data_engineer'] }),
  agentSpec({ id: 'analyst', role: 'Analyst', tools: ['python'], maxActions: 4, reads: ['data_engineer', 'modeler'], coachSeesGroundTruth: true }),
];
const [DE, MOD, AN] = AGENTS as [AgentSpec, AgentSpec, AgentSpec];
const py = (code: string) => `Here is my code.\n\`\`\`python\n${code}\n\`\`\``;

describeEnvironmentConformance('dsbench', {
  create: async () => createDsbenchEnvironment({ sandbox: await createBubblewrapSandbox() }),
  task: titanic,
  agents: AGENTS,
  toolAction: py('import os\nprint(sorted(os.listdir(".")))'),
  plainAction: 'I will look at the data first.',
});

function record(agent: AgentSpec, index: number, turnIndex: number, text: string, tool: Awaited<ReturnType<EpisodeEnvironment['executeTools']>>): ActionRecord {
  return {
    index, agentId: agent.id, role: agent.role, turnIndex, inputText: '', contextIds: [], text, actionIds: [], logprobs: [], finishReason: 'stop',
    policyId: 'p', policyVersion: 0, toolCalls: tool?.calls ?? [], toolOutput: tool?.message.content ?? '', filesWritten: tool?.filesWritten ?? [],
    extras: tool?.extras ?? {}, timings: { generateMs: 0, toolMs: 0 },
  };
}

describe('dsbench environment', () => {
  let env: Environment;
  let workDir: string;
  beforeAll(async () => {
    env = await createDsbenchEnvironment({ sandbox: await createBubblewrapSandbox() });
    workDir = await mkdtemp(join(tmpdir(), 'mappa-dsb-env-'));
  });
  afterAll(async () => {
    await env.dispose?.();
    await rm(workDir, { recursive: true, force: true });
  });
  const episode = (task: Task = titanic, id = 'ep') => env.createEpisode(task, { episodeId: id, seed: 1, phase: 'train', workDir: join(workDir, id), signal: new AbortController().signal });

  it('copies the task CSVs in (never the answers) and lists them in the prompt variables', async () => {
    const ep = await episode(titanic, 'files');
    try {
      const obs = await ep.observe(DE, new Map());
      expect(obs.vars.files).toEqual(['sample_submission.csv', 'test.csv', 'train.csv']);
      expect(String(obs.vars.filesList)).toContain('train.csv');
      expect(obs.vars).toMatchObject({ taskType: 'classification', metric: 'accuracy', target: 'Survived', idColumn: 'PassengerId', helper: false, missingArtifactWarning: '' });
      const answerFile = (titanic.groundTruth as DsbenchTaskFiles).answerFile;
      expect(JSON.stringify(obs.vars)).not.toContain('answers');
      expect(JSON.stringify(obs.vars)).not.toContain(answerFile);
      expect(JSON.stringify(titanic.metadata)).not.toContain('answers');
      expect((await ep.artifacts()).map((a) => [a.path, a.writtenBy])).toEqual([
        ['sample_submission.csv', 'environment'],
        ['test.csv', 'environment'],
        ['train.csv', 'environment'],
      ]);
    } finally {
      await ep.close();
    }
  });

  it('attributes files to agents and actions, warns the Analyst about missing artifacts and reports the error kind', async () => {
    const ep = await episode(titanic, 'attr');
    try {
      const t0 = await ep.executeTools(DE, { text: py("for f in ['X_train.pkl', 'y_train.pkl']:\n    open(f, 'wb').write(b'x')\nprint('saved')"), index: 0 });
      expect(t0!.filesWritten.map((f) => [f.path, f.writtenBy, f.actionIndex])).toEqual([
        ['X_train.pkl', 'data_engineer', 0],
        ['y_train.pkl', 'data_engineer', 0],
      ]);
      expect(t0!.message.content).toMatch(/^<tool_response>\nsaved\n\[files written: X_train.pkl, y_train.pkl\]\n<\/tool_response>$/);
      expect(t0!.extras).toMatchObject({ stage: 'data_engineer', codeBlocks: 1, codeRan: true, filesWrittenByAction: ['X_train.pkl', 'y_train.pkl'] });
      const a0 = record(DE, 0, 0, 'code', t0);
      const t1 = await ep.executeTools(MOD, { text: py("open('model.pkl', 'wb').write(b'm')"), index: 1 });
      const a1 = record(MOD, 1, 0, 'code', t1);
      const modCtx = await ep.coachContext(MOD, a1, [a0]);
      expect(modCtx).toMatchObject({
        stage: 'modeler',
        filesFromPreviousAgents: 'Data Engineer saved: X_train.pkl, y_train.pkl',
        filesWrittenByAction: ['model.pkl'],
        taskType: 'classification',
        codeRan: true,
      });
      expect(modCtx.metrics).toBeUndefined();
      // What the environment gives coaches is exactly the documented facts contract.
      expect(DsbenchCoachFactsSchema.safeParse(modCtx).success).toBe(true);

      const de: AgentTurn = { agentId: 'data_engineer', role: 'Data Engineer', actions: [a0], output: '<think>long reasoning</think>Saved the training data.' };
      const mod: AgentTurn = { agentId: 'modeler', role: 'Modeler', actions: [a1], output: 'Model saved.' };
      const obs = await ep.observe(AN, new Map([['data_engineer', de], ['modeler', mod]]));
      expect(obs.vars.missingArtifactWarning).toContain('CRITICAL FILES MISSING');
      expect(obs.vars.missingArtifactWarning).toContain('X_test.pkl');
      expect(obs.vars.missingArtifactWarning).not.toContain('model.pkl');
      expect(String(obs.vars.filesList)).toContain('CRITICAL FILES MISSING');
      expect(obs.vars.upstreamOutputs).toEqual({ data_engineer: 'Saved the training data.', modeler: 'Model saved.' });

      const t2 = await ep.executeTools(AN, { text: py("import pickle\nX = pickle.load(open('X_test.pkl', 'rb'))"), index: 2 });
      expect(t2!.calls[0]!.status).toBe('error');
      expect(t2!.message.content).toContain('[Execution Error]');
      const a2 = record(AN, 2, 0, 'code', t2);
      const ctx = await ep.coachContext(AN, a2, [a0, a1]);
      expect(ctx).toMatchObject({
        stage: 'analyst',
        codeRan: false,
        executionError: { kind: 'FileNotFoundError', file: 'X_test.pkl' },
        filesFromPreviousAgents: 'Data Engineer saved: X_train.pkl, y_train.pkl / Modeler saved: model.pkl',
        missingArtifactWarning: expect.stringContaining('X_test.pkl'),
        metricsText: expect.stringMatching(/^ERROR: No predictions found/),
      });
      expect(ep.groundTruth()).toMatch(/^ERROR: No predictions found/);
      expect(DsbenchCoachFactsSchema.parse(ctx).executionError).toEqual({ kind: 'FileNotFoundError', message: expect.any(String), file: 'X_test.pkl' });
      const outcome = await ep.evaluate(new Map());
      expect(outcome.success).toBe(false);
      expect(outcome.metrics).toEqual({ valid: 0, fair_accuracy: 0.5, fair_f1: 0, rpg: 0, 'rpg/classification': 0 });
    } finally {
      await ep.close();
    }
  });

  it('grades submission.csv when the Analyst writes it: metrics for the coach, outcome with RPG and fair metrics', async () => {
    const ep = await episode(titanic, 'grade');
    try {
      // Predict "female survives" from test.csv: a real, non-trivial submission without pandas.
      const code = [
        'import csv',
        "rows = list(csv.DictReader(open('test.csv')))",
        "w = csv.writer(open('submission.csv', 'w', newline=''))",
        "w.writerow(['PassengerId', 'Survived'])",
        "for r in rows: w.writerow([r['PassengerId'], 1 if r['Sex'] == 'female' else 0])",
      ].join('\n');
      const t = await ep.executeTools(AN, { text: py(code), index: 0 });
      expect(t!.extras).toMatchObject({ submissionWritten: true, codeRan: true });
      const ctx = (await ep.coachContext(AN, record(AN, 0, 0, 'code', t), [])) as Record<string, any>;
      expect(ctx.submissionValid).toBe(true);
      expect(ctx.metrics.accuracy).toBeGreaterThan(0.6);
      expect(ctx.metricsText).toContain('Accuracy');
      expect(DsbenchCoachFactsSchema.parse(ctx).metrics?.['accuracy']).toBe(ctx.metrics.accuracy);
      expect(ep.groundTruth()).toBe(ctx.metricsText);
      // Without permission to see ground truth, the coach gets no metrics.
      const blind = await ep.coachContext({ ...AN, coachSeesGroundTruth: false }, record(AN, 0, 0, 'code', t), []);
      expect(blind.metrics).toBeUndefined();
      expect(blind.metricsText).toBeUndefined();
      const outcome = await ep.evaluate(new Map());
      expect(outcome.success).toBe(true);
      expect(outcome.metrics.accuracy).toBe(ctx.metrics.accuracy);
      expect(outcome.metrics.fair_accuracy).toBe(ctx.metrics.accuracy);
      const meta = titanic.metadata as { baselineScore: number; gtScore: number };
      expect(outcome.metrics.rpg).toBeCloseTo(Math.max(0, (ctx.metrics.accuracy - meta.baselineScore) / (meta.gtScore - meta.baselineScore)), 10);
      expect(outcome.answer).toMatch(/^submission.csv: accuracy = 0\.\d{4}$/);
    } finally {
      await ep.close();
    }
  });

  it('runs at most maxCodeBlocksPerAction blocks, never code inside <think>, and ends the turn on text-only actions', async () => {
    const env2 = await createDsbenchEnvironment({ sandbox: await createBubblewrapSandbox(), maxCodeBlocksPerAction: 2 });
    const ep = await env2.createEpisode(titanic, { episodeId: 'b', seed: 1, phase: 'train', workDir: join(workDir, 'blocks'), signal: new AbortController().signal });
    try {
      expect(await ep.executeTools(DE, { text: 'No code, just words.', index: 0 })).toBeUndefined();
      const thinkOnly = "<think>\n```python\nopen('leak.txt','w').write('x')\n```\n</think>Done.";
      expect(await ep.executeTools(DE, { text: thinkOnly, index: 1 })).toBeUndefined();
      const text = [1, 2, 3].map((i) => py(`print(${i})`)).join('\n');
      const t = await ep.executeTools(DE, { text, index: 2 });
      expect(t!.calls.map((c) => c.output)).toEqual(['1', '2']);
      expect(t!.message.content).toContain('1 more code block(s) not run');
      expect(t!.extras).toMatchObject({ codeBlocks: 3, blocksRun: 2 });
      expect((await ep.artifacts()).map((a) => a.path)).not.toContain('leak.txt');
    } finally {
      await ep.close();
      await env2.dispose?.();
    }
  });

  it('works with a stateless sandbox (files uploaded and fetched on every run)', async () => {
    const sandbox = countingSandbox(await createBubblewrapSandbox(), { stateless: true });
    const env2 = await createDsbenchEnvironment({ sandbox, helperModule: true });
    const ep = await env2.createEpisode(titanic, { episodeId: 's', seed: 1, phase: 'train', workDir: join(workDir, 'stateless'), signal: new AbortController().signal });
    try {
      expect((await ep.observe(DE, new Map())).vars.files).toContain('dsb.py');
      const t = await ep.executeTools(DE, { text: py("open('X_test.pkl', 'wb').write(b'1')"), index: 0 });
      expect(t!.filesWritten.map((f) => f.path)).toEqual(['X_test.pkl']);
      const t2 = await ep.executeTools(AN, { text: py("print(open('X_test.pkl', 'rb').read())"), index: 1 });
      expect(t2!.calls[0]!.output).toBe("b'1'");
      expect(sandbox.runs).toBe(2);
    } finally {
      await ep.close();
      await env2.dispose?.();
    }
  });

  it('formats finished, failed, timed-out and sandbox-failed blocks as the reference does', async () => {
    const traceback = 'Traceback (most recent call last):\n  File "/code/main.py", line 1, in <module>\nKeyError: \'Age\'\n';
    const canned = new CannedSandbox([
      finished('a\n', 'warn\n'),
      finished(''),
      finished('partial\n', '', null, 'TimeLimitExceeded'),
      { status: 'SandboxError', message: 'bwrap: boom', files: {} },
      finished('', traceback, 1, 'Error'),
    ]);
    const env2 = await createDsbenchEnvironment({ sandbox: canned, maxCodeBlocksPerAction: 4 });
    const ep = await env2.createEpisode(titanic, { episodeId: 'fmt', seed: 1, phase: 'train', workDir: join(workDir, 'fmt'), signal: new AbortController().signal });
    try {
      const t = await ep.executeTools(DE, { text: [1, 2, 3, 4].map((i) => py(`print(${i})`)).join('\n'), index: 0 });
      expect(t!.message.content).toBe(
        '<tool_response>\na\n[stderr]: warn\n------\n(no output)\n------\n[Execution TimeLimitExceeded]\n[stdout]: partial\n\n[stderr/error]: \n------\n[Sandbox Error] bwrap: boom\n[no files written]\n</tool_response>',
      );
      expect(t!.calls.map((c) => c.status)).toEqual(['ok', 'ok', 'timeout', 'sandbox-error']);
      expect(t!.extras).toMatchObject({ codeBlocks: 4, blocksRun: 4, codeRan: false, executionError: { kind: 'TimeLimitExceeded', message: 'the code ran longer than 60 s' } });
      const e = await ep.executeTools(AN, { text: py("X = train['Age']"), index: 1 });
      expect(e!.message.content).toBe(`<tool_response>\n[Execution Error]\n[stdout]: \n[stderr/error]: ${traceback}\n[no files written]\n</tool_response>`);
      expect(e!.calls[0]).toMatchObject({ status: 'error', exitCode: 1 });
      expect(e!.extras).toMatchObject({ executionError: { kind: 'KeyError', message: "'Age'" } });
    } finally {
      await ep.close();
      await env2.dispose?.();
    }
  });

  it('a submission.csv symlinked to the host path of the answers is not graded as a submission', async () => {
    const ep = await episode(titanic, 'symlink');
    const answerFile = (titanic.groundTruth as DsbenchTaskFiles).answerFile;
    try {
      const t = await ep.executeTools(AN, { text: py(`import os\nos.symlink(${JSON.stringify(answerFile)}, 'submission.csv')\nprint(os.path.islink('submission.csv'))`), index: 0 });
      expect(t!.calls[0]!.output).toBe('True');
      const outcome = await ep.evaluate(new Map());
      expect(outcome.success).toBe(false);
      expect(outcome.metrics.valid).toBe(0);
      expect(ep.groundTruth()).not.toContain('Accuracy');
    } finally {
      await ep.close();
    }
  });

  it('agent code cannot read the hidden answers: the bubblewrap sandbox does not mount them', async () => {
    const ep = await episode(titanic, 'hidden');
    const answerFile = (titanic.groundTruth as DsbenchTaskFiles).answerFile;
    const probe = [
      'import os, glob',
      'found = []',
      "for root, dirs, files in os.walk('/'):",
      "    if root.startswith(('/proc', '/sys', '/usr', '/dev')):",
      '        dirs[:] = []',
      '        continue',
      "    found += [os.path.join(root, f) for f in files if 'answer' in f]",
      "print('FOUND', found)",
      `for p in [${JSON.stringify(answerFile)}, 'test_answer.csv', '../answers/titanic-mini/test_answer.csv', '../../data/answers/titanic-mini/test_answer.csv']:`,
      '    try:',
      "        open(p).read(); print('READ', p)",
      '    except OSError as e:',
      "        print('DENIED', p, type(e).__name__)",
      // Control: the task files in the workspace are readable, so the denials are not a broken probe.
      "print('TRAIN ROWS', len(open('train.csv').read().splitlines()) > 1)",
    ].join('\n');
    try {
      const t = await ep.executeTools(AN, { text: py(probe), index: 0 });
      const out = t!.calls[0]!.output;
      expect(t!.calls[0]!.status).toBe('ok');
      expect(out).toContain('FOUND []');
      expect(out).not.toContain('READ');
      expect(out.match(/DENIED/g)).toHaveLength(4);
      // The host path of the answers does not exist inside the sandbox at all.
      expect(out).toContain(`DENIED ${answerFile} FileNotFoundError`);
      expect(out).toContain('TRAIN ROWS True');
      // The answers are on the host, and the grader can read them.
      expect((await readFile(answerFile, 'utf8')).startsWith('PassengerId,Survived')).toBe(true);
      expect((await ep.artifacts()).some((a) => a.path.includes('answer'))).toBe(false);
    } finally {
      await ep.close();
    }
  });
});
