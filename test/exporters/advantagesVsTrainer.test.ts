import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentBatch } from '../../core/contracts/Trainer.js';
import type { MappaRlRecord } from '../../core/model/MappaRlRecord.js';
import { createMappaRlExporter } from '../../plugins/exporters/mappa-rl/mappaRl.js';
import { createGrpoTrainer } from '../../plugins/trainers/grpo/grpoTrainerPlugin.js';
import { createReinforcePPTrainer } from '../../plugins/trainers/reinforce-pp/reinforcePPTrainerPlugin.js';
import { tinyLm } from '../trainers/trainerTestKit.js';
import { cleanTempDirs, readJsonl, runExport, runTinyRun, setRunTrainer } from './exportKit.js';

afterAll(cleanTempDirs);

/** Mean and std over action tokens, as the trainer's adv_mean / adv_std metrics. */
function stats(rows: readonly (readonly number[])[]): { mean: number; std: number } {
  const all = rows.flat();
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  return { mean, std: Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length) };
}

describe('exported advantages against the trainers themselves', () => {
  it('match the adv_mean / adv_std the real trainers report on the same step with β = 0', async () => {
    const { runDir, trainer } = await runTinyRun();
    const step1 = trainer.steps[0]!;
    const cases = [
      { config: { use: 'grpo', klCoef: 0 }, make: () => createGrpoTrainer({ klCoef: 0, lr: 1e-9 }) },
      { config: { use: 'grpo', klCoef: 0, estimator: 'rloo' }, make: () => createGrpoTrainer({ klCoef: 0, lr: 1e-9, estimator: 'rloo' }) },
      { config: { use: 'reinforce++', klCoef: 0, normalization: 'global' }, make: () => createReinforcePPTrainer({ klCoef: 0, lr: 1e-9, normalization: 'global' }) },
    ];
    for (const c of cases) {
      await setRunTrainer(runDir, c.config);
      const { outDir } = await runExport(runDir, createMappaRlExporter(), { steps: { from: 1, to: 1 } });
      const records = await readJsonl<MappaRlRecord>(join(outDir, 'mappa-rl.jsonl'));
      const real = await c.make();
      const batches: AgentBatch[] = [];
      for (const b of step1.batches) batches.push({ ...b, policy: await tinyLm({ id: b.agentId, vocabSize: 128 }) });
      const metrics = await real.step(batches, { step: 1, totalSteps: 2 });
      const seen: Array<{ mean: number; std: number }> = [];
      for (const b of step1.batches) {
        const mine = stats(records.filter((r) => r.agent_id === b.agentId).map((r) => r.advantages));
        expect(mine.mean, `${c.config.use} ${b.agentId} mean`).toBeCloseTo(metrics[b.agentId]!['adv_mean']!, 9);
        expect(mine.std, `${c.config.use} ${b.agentId} std`).toBeCloseTo(metrics[b.agentId]!['adv_std']!, 9);
        seen.push(mine);
      }
      // Not a trivial match: the advantages spread, and global whitening leaves per-agent means away from 0.
      expect(Math.max(...seen.map((x) => x.std))).toBeGreaterThan(0.1);
      if (c.config.use === 'reinforce++') expect(Math.max(...seen.map((x) => Math.abs(x.mean)))).toBeGreaterThan(0.01);
      await real.dispose?.();
    }
  });
});
