import { describe, expect, it } from 'vitest';
import type { Demonstration } from '../../core/model/Demonstration.js';
import { encodeDemonstrations } from '../../core/runner/encodeDemonstrations.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { FakePolicy } from '../fakes/testPlugins.js';

const coderTurns: Demonstration[] = [
  { agentId: 'coder', taskId: 't1', turnIndex: 0, messages: [{ role: 'user', content: 'Q: 2+3\nCoder:' }], response: '```python\nprint(2+3)\n```' },
  {
    agentId: 'coder',
    taskId: 't1',
    turnIndex: 1,
    messages: [
      { role: 'user', content: 'Q: 2+3\nCoder:' },
      { role: 'assistant', content: '```python\nprint(2+3)\n```' },
      { role: 'user', content: '<tool_response>\n5\n</tool_response>' },
    ],
    response: '5',
  },
];
const solver: Demonstration = { agentId: 'solver', taskId: 't1', turnIndex: 0, messages: [{ role: 'user', content: 'Q: 2+3\nSolver:' }], response: '2+3' };

describe('encodeDemonstrations', () => {
  it('packs a multi-turn agent into one example whose loss mask covers exactly its responses', async () => {
    const policy = await createTfjsTransformerPolicy({ preset: 'tiny', tokenizer: 'char', seed: 1 });
    try {
      const { examples, packed } = await encodeDemonstrations([...coderTurns, solver], () => policy, true);
      expect(packed).toBe(1);
      expect(examples).toHaveLength(2);
      const coder = examples.find((e) => e.agentId === 'coder')!;
      const separate = await Promise.all(coderTurns.map((d) => policy.encodeDemonstration(d.messages, d.response)));
      // The packed example starts from the first turn's context and trains on both responses (with their end tokens).
      expect(coder.contextIds).toEqual(separate[0]!.contextIds);
      const trained = coder.actionIds.filter((_, j) => coder.lossMask![j] === 1);
      expect(trained).toEqual([...separate[0]!.actionIds, ...separate[1]!.actionIds]);
      // The untrained tokens are the tool reply between the turns, and the whole sequence is the last turn's.
      expect([...coder.contextIds, ...coder.actionIds]).toEqual([...separate[1]!.contextIds, ...separate[1]!.actionIds]);
      expect(policy.tokenizer.decode(coder.actionIds.filter((_, j) => coder.lossMask![j] === 0))).toContain('<tool_response>\n5\n</tool_response>');
      // Same per-token log-probs packed or not: the causal prefix of every trained token is unchanged.
      const [packedLp] = await policy.score([{ contextIds: coder.contextIds, continuationIds: coder.actionIds }]);
      const turnLp = await policy.score(separate.map((s) => ({ contextIds: s.contextIds, continuationIds: s.actionIds })));
      const fromPacked = packedLp!.filter((_, j) => coder.lossMask![j] === 1);
      fromPacked.forEach((lp, i) => expect(lp).toBeCloseTo([...turnLp[0]!, ...turnLp[1]!][i]!, 5));
      const plain = await encodeDemonstrations([...coderTurns, solver], () => policy, false);
      expect(plain.packed).toBe(0);
      expect(plain.examples).toHaveLength(3);
    } finally {
      policy.dispose();
    }
  });

  it('keeps turns separate when they do not form a chain or their ids do not line up', async () => {
    const broken = [coderTurns[0]!, { ...coderTurns[1]!, messages: [{ role: 'user' as const, content: 'another prompt' }, ...coderTurns[1]!.messages.slice(1)] }];
    const policy = await createTfjsTransformerPolicy({ preset: 'tiny', tokenizer: 'char', seed: 1 });
    try {
      expect((await encodeDemonstrations(broken, () => policy, true)).packed).toBe(0);
    } finally {
      policy.dispose();
    }
    // A policy that re-renders assistant text instead of reusing exact ids cannot be packed safely.
    const fake = new FakePolicy('coder');
    const r = await encodeDemonstrations(coderTurns, () => fake, true);
    expect(r.packed).toBe(0);
    expect(r.examples).toHaveLength(2);
  });
});

describe('supervised loss on a packed example', () => {
  it('counts only the trained tokens', async () => {
    const { loadTf } = await import('../../plugins/tfjs/loadTf.js');
    const { Adam } = await import('../../plugins/trainers/runtime/Adam.js');
    const { sftUpdate } = await import('../../plugins/trainers/sft/sftUpdate.js');
    const { tf } = await loadTf();
    const policy = await createTfjsTransformerPolicy({ preset: 'tiny', tokenizer: 'char', seed: 2 });
    const optimizer = new Adam(tf, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
    try {
      const { examples } = await encodeDemonstrations(coderTurns, () => policy, true);
      const ex = examples[0]!;
      const [lp] = await policy.score([{ contextIds: ex.contextIds, continuationIds: ex.actionIds }]);
      const trained = lp!.filter((_, j) => ex.lossMask![j] === 1);
      const expected = -trained.reduce((a, b) => a + b, 0) / trained.length;
      const res = sftUpdate(tf, policy, optimizer, [ex], { microBatchSize: 4, aggregation: 'token-mean', lr: 1e-3, maxGradNorm: 1 });
      expect(res.tokens).toBe(trained.length);
      expect(res.loss).toBeCloseTo(expected, 4);
    } finally {
      optimizer.dispose();
      policy.dispose();
    }
  });
});
