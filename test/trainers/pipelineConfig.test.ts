import { describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

async function validate(trainer: Record<string, unknown>) {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  return validatePipeline(tinyPipeline({ trainer }), { registry, baseDir: TINY_DIR });
}

describe('trainer options in a pipeline file', () => {
  it('accepts each trainer with its options', async () => {
    for (const trainer of [
      { use: 'reinforce++', lr: 1e-3, normalization: 'global', gamma: 0.99, dualClip: 3, clipEpsHigh: 0.28 },
      { use: 'reinforce++-baseline', klPlacement: 'loss', klEstimator: 'k2', klCoef: 1e-5 },
      { use: 'grpo', scaleByStd: false, aggregation: 'seq-mean-token-sum-norm', lossScaleFactor: 512 },
      { use: 'grpo', estimator: 'rloo', schedule: { type: 'constant' }, oldLogprobs: 'rollout' },
      { use: 'sft', minReward: 0.7, microBatchSize: 2 },
    ]) {
      const r = await validate(trainer);
      expect(r.ok, JSON.stringify(r.ok ? '' : r.issues)).toBe(true);
    }
  });

  it('reports bad options with their path', async () => {
    const r = await validate({ use: 'reinforce++', clipEps: -1, normalisation: 'global' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => i.path).join(' ');
    expect(paths).toContain('trainer.clipEps');
    expect(r.issues.some((i) => /normalisation/.test(`${i.path} ${i.message}`))).toBe(true);
    const dual = await validate({ use: 'grpo', dualClip: 0.5 });
    expect(dual.ok).toBe(false);
    const old = await validate({ use: 'reinforce++', oldLogprobs: 'vllm' });
    expect(old.ok).toBe(false);
    if (!old.ok) expect(old.issues.map((i) => i.path)).toContain('trainer.oldLogprobs');
  });
});
