import { describe, expect, it } from 'vitest';
import { buildSequenceBatch, fromWindow, toWindow } from '../../plugins/trainers/runtime/SequenceBatch.js';
import { sequenceLogprobs } from '../../plugins/trainers/runtime/sequenceLogprobs.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { tinyLm } from './trainerTestKit.js';

describe('buildSequenceBatch', () => {
  const rows = [
    { contextIds: [5, 6, 7], actionIds: [8, 9] },
    { contextIds: [3], actionIds: [4, 4, 4] },
  ];
  it('feeds context ++ action[:-1] and scores action token j at position |context| − 1 + j', () => {
    const b = buildSequenceBatch(rows, 0);
    // Inputs: [5 6 7 8] and [3 4 4 0]; the earliest action is scored at position 0, so the window is all 4 positions.
    expect(b).toMatchObject({ rows: 2, length: 4, start: 0, width: 4, offsets: [2, 0], actionLengths: [2, 3] });
    expect([...b.inputIds]).toEqual([5, 6, 7, 8, 3, 4, 4, 0]);
    expect([...b.attentionMask]).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    expect([...b.targets]).toEqual([0, 0, 8, 9, 4, 4, 4, 0]);
    expect([...b.actionMask]).toEqual([0, 0, 1, 1, 1, 1, 1, 0]);
  });
  it('skips the shared prefix of long contexts', () => {
    const b = buildSequenceBatch([{ contextIds: [1, 2, 3, 4], actionIds: [5] }, { contextIds: [1, 2, 3], actionIds: [6, 7] }], 0);
    expect(b).toMatchObject({ length: 4, start: 2, width: 2, offsets: [1, 0] });
    expect([...b.targets]).toEqual([0, 5, 6, 7]);
  });
  it('maps values to window positions and back', () => {
    const b = buildSequenceBatch(rows, 0);
    const w = toWindow(b, [[0.5, 1.5], [2, 3, 4]]);
    expect([...w]).toEqual([0, 0, 0.5, 1.5, 2, 3, 4, 0]);
    expect(fromWindow(b, w)).toEqual([[0.5, 1.5], [2, 3, 4]]);
  });
  it('refuses empty contexts or actions', () => expect(() => buildSequenceBatch([{ contextIds: [], actionIds: [1] }], 0)).toThrow(/row 0/));
});

describe('sequenceLogprobs', () => {
  it('gives the policy\'s own next-token log-probs, by one-hot or by gather', async () => {
    const { tf } = await loadTf();
    const policy = await tinyLm({ layers: 1 });
    const rows = [
      { contextIds: [5, 6, 7], actionIds: [8, 9] },
      { contextIds: [3], actionIds: [4, 11, 12] },
    ];
    const expected = await policy.score(rows.map((r) => ({ contextIds: r.contextIds, continuationIds: r.actionIds })));
    const b = buildSequenceBatch(rows, policy.padTokenId);
    for (const differentiable of [true, false]) {
      const got = tf.tidy(() => fromWindow(b, sequenceLogprobs(tf, policy, b, false, differentiable).logp.dataSync()));
      got.forEach((row, i) => row.forEach((v, j) => expect(v, `${differentiable} [${i}][${j}]`).toBeCloseTo(expected[i]![j]!, 5)));
    }
    policy.dispose();
  });
});
