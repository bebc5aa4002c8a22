import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitsOnTestData, wrongTargetColumn } from '../../coaches/dsbench-rule/codeChecks.js';
import { packageRoot } from '../../core/util/packageRoot.js';
import { Rng } from '../../core/util/Rng.js';
import { agentSpec } from '../conformance/environmentConformance.js';
import { buildDemonstrations, demonstrationProgram, type DemoVariant } from '../../environments/dsbench/demonstrations.js';
import { createDsbenchEnvironment } from '../../environments/dsbench/dsbenchEnvironmentPlugin.js';
import type { DsbenchTaskMetadata } from '../../environments/dsbench/DsbenchTaskMeta.js';
import { loadDsbenchTasks } from '../../environments/dsbench/loadDsbenchTasks.js';
import { DSBENCH_STAGES } from '../../environments/dsbench/stages.js';
import { createBubblewrapSandbox } from '../../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.js';

const EXAMPLE = join(packageRoot(), 'examples', 'dsbench');
const all = await loadDsbenchTasks({});
const train = all.filter((t) => t.split === 'train');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('DSBench demonstrations', () => {
  it('the committed SFT files are what `mappa dsbench demos` produces', async () => {
    const prompts = Object.fromEntries(DSBENCH_STAGES.map((s) => [s, join(EXAMPLE, 'prompts', 'tiny', `${s}.liquid`)]));
    const demos = await buildDemonstrations({ tasks: train, perTask: 4, seed: 0, helper: true, prompts });
    for (const stage of DSBENCH_STAGES) {
      const expected = demos.filter((d) => d.stage === stage).map((d) => JSON.stringify(d)).join('\n') + '\n';
      expect(await readFile(join(EXAMPLE, 'demos', `${stage}.jsonl`), 'utf8'), stage).toBe(expected);
    }
    const variants = new Set(demos.map((d) => `${d.stage}:${d.variant}`));
    for (const v of ['data_engineer:correct', 'data_engineer:forget_x_test', 'data_engineer:fit_on_test', 'data_engineer:wrong_target', 'analyst:wrong_target']) expect(variants).toContain(v);
    expect(demos[0]!.messages[0]!.content).toContain('target Survived | id PassengerId');
  });

  it('follows the configured rates', async () => {
    const none = await buildDemonstrations({ tasks: train, perTask: 3, rates: { forgetXTest: 0, fitOnTest: 0, wrongTarget: 0, forgetModel: 0 } });
    expect(new Set(none.map((d) => d.variant))).toEqual(new Set(['correct']));
    const forget = await buildDemonstrations({ tasks: train, perTask: 3, rates: { forgetXTest: 1 } });
    expect(new Set(forget.filter((d) => d.stage === 'data_engineer').map((d) => d.variant))).toEqual(new Set(['forget_x_test']));
    const again = await buildDemonstrations({ tasks: train, perTask: 3, rates: { forgetXTest: 1 } });
    expect(again).toEqual(forget);
  });

  it('bug variants contain the bug the rule coach looks for; correct programs do not', () => {
    for (const task of train) {
      const meta = task.metadata as DsbenchTaskMetadata;
      const targets = [String(meta.target)];
      for (const helper of [true, false]) {
        const prog = (v: DemoVariant, stage: (typeof DSBENCH_STAGES)[number] = 'data_engineer', seed = 1) =>
          demonstrationProgram(stage, v, { meta, columns: ['a_feature', meta.idColumn, ...targets], helper, rng: Rng.fromSeed(seed) });
        for (let seed = 0; seed < 4; seed++) {
          const ok = prog('correct', 'data_engineer', seed);
          expect(fitsOnTestData(ok)).toBeUndefined();
          expect(wrongTargetColumn(ok, targets)).toBeUndefined();
          expect(ok).toContain('X_test.pkl');
          expect(fitsOnTestData(prog('fit_on_test', 'data_engineer', seed)), `${task.id} ${helper}`).toBeDefined();
        }
        expect(prog('forget_x_test')).not.toContain('X_test.pkl');
        expect(wrongTargetColumn(prog('wrong_target'), targets)).toBe('a_feature');
        expect(fitsOnTestData(prog('fit_on_test', 'modeler'))).toBeDefined();
        expect(fitsOnTestData(prog('correct', 'modeler'))).toBeUndefined();
        expect(prog('forget_model', 'modeler')).not.toContain("'model.pkl'),");
        expect(prog('wrong_target', 'analyst')).not.toContain(`'${targets[0]}')`);
      }
    }
  });

  it('correct helper programs produce a valid submission in the environment', async () => {
    const churn = all.find((t) => t.id === 'churn-mini')!;
    const meta = churn.metadata as DsbenchTaskMetadata;
    const env = await createDsbenchEnvironment({ sandbox: await createBubblewrapSandbox(), helperModule: true });
    const workDir = await mkdtemp(join(tmpdir(), 'mappa-dsb-demo-'));
    dirs.push(workDir);
    const ep = await env.createEpisode(churn, { episodeId: 'demo', seed: 1, phase: 'train', workDir, signal: new AbortController().signal });
    try {
      let index = 0;
      for (const stage of DSBENCH_STAGES) {
        const code = demonstrationProgram(stage, 'correct', { meta, columns: [], helper: true, rng: Rng.fromSeed(3) });
        const r = await ep.executeTools(agentSpec({ id: stage, tools: ['python'] }), { text: `\`\`\`python\n${code}\n\`\`\``, index: index++ });
        expect(r!.calls[0]!.status, r!.calls[0]!.output).toBe('ok');
      }
      const outcome = await ep.evaluate(new Map());
      expect(outcome.success).toBe(true);
      expect(outcome.metrics.roc_auc).toBeGreaterThan(0.6);
      expect(outcome.metrics.rpg).toBeGreaterThan(0.2);
    } finally {
      await ep.close();
      await env.dispose?.();
    }
  });
});
