import { describe, expect, it } from 'vitest';
import { MappaError } from '../../core/util/MappaError.js';
import { sftTrain, type SftStepInfo } from '../../plugins/trainers/sft/sftTrain.js';
import { meanLogp, tinyLm } from './trainerTestKit.js';

describe('sftTrain', () => {
  const demos = [
    { contextIds: [2, 3], actionIds: [10, 11, 12, 1] },
    { contextIds: [4, 5, 6], actionIds: [13, 14, 1] },
    { contextIds: [7], actionIds: [15, 16, 17, 18, 1] },
  ];

  it('fits the demonstrations (loss falls, log-probs rise) and reports each step', async () => {
    const policy = await tinyLm({ layers: 1 });
    const before = await Promise.all(demos.map((d) => meanLogp(policy, d)));
    const seen: SftStepInfo[] = [];
    const res = await sftTrain(policy, demos, { epochs: 8, batchSize: 2, microBatchSize: 1, lr: 0.02, onStep: (s) => void seen.push(s) });
    expect(res.steps).toBe(16);
    expect(res.aborted).toBe(false);
    expect(seen.map((s) => s.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(res.losses.at(-1)!).toBeLessThan(res.losses[0]! * 0.7);
    const after = await Promise.all(demos.map((d) => meanLogp(policy, d)));
    after.forEach((v, i) => expect(v).toBeGreaterThan(before[i]!));
    expect(policy.version).toBe(16);
    // The first step's loss is the token-mean cross-entropy of its batch under the initial weights.
    expect(seen[0]!.loss).toBeGreaterThan(0);
  });

  it('is deterministic under a seed', async () => {
    const run = async () => (await sftTrain(await tinyLm(), demos, { epochs: 2, batchSize: 2, lr: 0.01, seed: 4 })).losses;
    expect(await run()).toEqual(await run());
  });

  it('stops early on abort', async () => {
    const controller = new AbortController();
    const res = await sftTrain(await tinyLm(), demos, {
      epochs: 5,
      batchSize: 1,
      lr: 0.01,
      signal: controller.signal,
      onStep: (s) => {
        if (s.step === 2) controller.abort();
      },
    });
    expect(res).toMatchObject({ steps: 2, aborted: true });
  });

  it('rejects bad demonstrations and options with clear errors', async () => {
    const policy = await tinyLm();
    await expect(sftTrain(policy, [{ contextIds: [1], actionIds: [] }])).rejects.toThrow(/demonstration 0 has an empty action/);
    await expect(sftTrain(policy, [{ contextIds: [1], actionIds: [99] }])).rejects.toThrow(MappaError);
    await expect(sftTrain(policy, demos, { batchSize: 0 })).rejects.toThrow();
  });
});
