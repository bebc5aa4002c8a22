import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateEngine } from '../../core/util/createTemplateEngine.js';
import { packageRoot } from '../../core/util/packageRoot.js';
import type { DsbenchTaskMetadata } from '../../environments/dsbench/DsbenchTaskMeta.js';
import { loadDsbenchTasks } from '../../environments/dsbench/loadDsbenchTasks.js';
import { observationVars } from '../../environments/dsbench/observationVars.js';
import { DSBENCH_STAGES, type DsbenchStage } from '../../environments/dsbench/stages.js';

const PROMPTS = join(packageRoot(), 'examples', 'dsbench', 'prompts');
const tasks = await loadDsbenchTasks({});
const engine = new TemplateEngine();

async function render(dir: string, stage: DsbenchStage, files: string[], helper: boolean, taskId = 'churn-mini') {
  const task = tasks.find((t) => t.id === taskId)!;
  const { vars } = observationVars({
    meta: task.metadata as DsbenchTaskMetadata,
    files: files.map((path) => ({ path, bytes: 2048, writtenBy: path.endsWith('.csv') || path === 'dsb.py' ? 'environment' : 'data_engineer' })),
    stage,
    previous: stage === 'data_engineer' ? [] : [{ agentId: 'data_engineer', role: 'Data Engineer', output: 'Saved the features.' }],
    submissionFile: 'submission.csv',
    helper,
  });
  return engine.renderFile(join(dir, `${stage}.liquid`), {
    task: { id: task.id, prompt: task.prompt, metadata: task.metadata },
    agent: { id: stage, role: stage, maxActions: 4 },
    upstream: {},
    ...vars,
  });
}

describe('DSBench prompt templates', () => {
  const base = ['sample_submission.csv', 'test.csv', 'train.csv'];
  for (const [name, dir, helper] of [['long', PROMPTS, false], ['tiny', join(PROMPTS, 'tiny'), true]] as const) {
    it(`${name} prompts render for every stage with the task facts and the file list`, async () => {
      for (const stage of DSBENCH_STAGES) {
        const text = await render(dir, stage, [...base, ...(helper ? ['dsb.py'] : []), 'X_train.pkl'], helper);
        expect(text, stage).toContain('roc_auc');
        if (name === 'long') expect(text, stage).toContain('Exited');
        if (name === 'long') expect(text, stage).toContain('train.csv');
        if (name === 'long' || stage !== 'data_engineer') expect(text, stage).toContain('X_train.pkl');
        if (name === 'long') {
          expect(text).toContain(`${stage === 'data_engineer' ? 'Data Engineer' : stage === 'modeler' ? 'Modeler' : 'Analyst'} (you)`);
          expect(text).toContain('## Task');
          if (stage !== 'data_engineer') expect(text).toContain('Saved the features.');
        } else {
          // A tiny policy's whole context: one or two lines of task facts and the pickles upstream agents saved.
          expect(text.length).toBeLessThan(100);
          expect(text).not.toContain('train.csv');
        }
      }
    });

    it(`${name} Analyst prompt shows the missing-file warning only when files are missing`, async () => {
      const missing = await render(dir, 'analyst', [...base, 'X_train.pkl', 'y_train.pkl', 'model.pkl'], helper);
      expect(missing).toMatch(name === 'long' ? /CRITICAL FILES MISSING:\n {2}- X_test.pkl/ : /missing: X_test.pkl/);
      expect(missing).not.toMatch(/- model.pkl \(trained model\)|missing: .*model\.pkl/);
      const complete = await render(dir, 'analyst', [...base, 'X_test.pkl', 'X_train.pkl', 'model.pkl'], helper);
      expect(complete).not.toMatch(/CRITICAL FILES MISSING|missing:/);
    });
  }

  it('the long Analyst prompt asks for probabilities on ROC-AUC tasks only', async () => {
    expect(await render(PROMPTS, 'analyst', base, false, 'churn-mini')).toContain('predict_proba');
    expect(await render(PROMPTS, 'analyst', base, false, 'titanic-mini')).not.toContain('probability of the positive class');
  });
});
