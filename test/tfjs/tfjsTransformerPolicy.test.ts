import { describe, expect, it } from 'vitest';
import type { Message } from '../../core/model/Message.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { TfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';
import { isTrainablePolicy } from '../../plugins/policies/tfjs-transformer/TrainablePolicy.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { maxAbsDiff } from './hfTinyFixtures.js';

const tiny = (extra: Parameters<typeof createTfjsTransformerPolicy>[0] = {}) =>
  createTfjsTransformerPolicy({ preset: 'tiny', seed: 1, maxContextLength: 256, ...extra });

const prompts: Message[][] = [
  [{ role: 'user', content: 'What is 2+3?' }],
  [{ role: 'system', content: 'You are the Problem Solver.' }, { role: 'user', content: 'Compute 12*7 and explain each step.' }],
  [{ role: 'user', content: 'hi' }],
  [{ role: 'user', content: 'Q: What is 12+3*4?\nDraft: 12+3*4\nCoder:' }],
];

describe('tfjs-transformer presets', () => {
  for (const preset of ['tiny', 'small', 'medium'] as const) {
    it(`${preset}: builds with the reference shapes, generates and scores`, async () => {
      const p = await createTfjsTransformerPolicy({ preset, seed: 3, maxContextLength: 128 });
      const shapes = { tiny: [64, 2, 128], small: [128, 4, 384], medium: [256, 6, 704] }[preset];
      expect([p.config.hiddenSize, p.config.numLayers, p.config.intermediateSize]).toEqual(shapes);
      expect(isTrainablePolicy(p)).toBe(true);
      const g = await p.generate({ messages: prompts[0]!, seed: 1, sampling: { maxNewTokens: 3 } });
      expect(g.tokenIds.length).toBeGreaterThan(0);
      expect(g.logprobs).toHaveLength(g.tokenIds.length);
      const [row] = await p.score([{ contextIds: g.contextIds, continuationIds: g.tokenIds }]);
      expect(maxAbsDiff(row!, g.logprobs)).toBeLessThan(1e-4);
      p.dispose();
    });
  }

  it('byte and char tokenizers round-trip text and render the short chat template', async () => {
    for (const tokenizer of ['byte', 'char'] as const) {
      const p = await tiny({ tokenizer });
      const text = 'x = 12 + 30\n\tprint(x)';
      expect(p.tokenizer.decode(p.tokenizer.encode(text))).toBe(text);
      const ids = p.contextIds([{ role: 'user', content: 'hi' }]);
      expect(p.tokenizer.decode(ids)).toBe('<|user|>hi<|end|><|assistant|>');
      // One special token per role marker: 'hi' plus 3 specials.
      expect(ids).toHaveLength(5);
      p.dispose();
    }
    const byte = await tiny({ tokenizer: 'byte' });
    expect(byte.tokenizer.encode('é')).toEqual([0xc3, 0xa9]);
    byte.dispose();
  });
});

describe('tfjs-transformer generation', () => {
  it('greedy output is identical with and without the KV cache, batched with different prompt lengths', async () => {
    const cached = await tiny();
    const plain = await tiny({ useKvCache: false });
    const sampling = { greedy: true, maxNewTokens: 20 };
    const batched = await Promise.all(prompts.map((messages) => cached.generate({ messages, seed: 0, sampling })));
    expect(cached.generationStats.prefills).toBe(1);
    for (const [i, messages] of prompts.entries()) {
      const ref = await plain.generate({ messages, seed: 0, sampling });
      expect(batched[i]!.tokenIds).toEqual(ref.tokenIds);
      expect(maxAbsDiff(batched[i]!.logprobs, ref.logprobs)).toBeLessThan(1e-4);
    }
    cached.dispose();
    plain.dispose();
  });

  it('is deterministic under a seed, alone or batched with other requests, including requests joining mid-batch', async () => {
    const p = await tiny();
    const sampling = { maxNewTokens: 16, temperature: 1.2 };
    const solo = [];
    for (const [i, messages] of prompts.entries()) solo.push(await p.generate({ messages, seed: 10 + i, sampling }));
    const together = await Promise.all(prompts.map((messages, i) => p.generate({ messages, seed: 10 + i, sampling })));
    const late = p.generate({ messages: prompts[0]!, seed: 99, sampling });
    await new Promise((r) => setTimeout(r, 5));
    const joined = await Promise.all([late, ...prompts.map((messages, i) => p.generate({ messages, seed: 10 + i, sampling }))]);
    for (let i = 0; i < prompts.length; i++) {
      expect(together[i]!.tokenIds).toEqual(solo[i]!.tokenIds);
      expect(joined[i + 1]!.tokenIds).toEqual(solo[i]!.tokenIds);
      expect(together[i]!.text).toBe(solo[i]!.text);
      // Bit for bit, not just the same tokens: the log-probs are the behaviour policy's in off-policy updates
      // (run.overlap), where a timing-dependent batch must not change the numbers.
      expect(together[i]!.logprobs).toEqual(solo[i]!.logprobs);
      expect(joined[i + 1]!.logprobs).toEqual(solo[i]!.logprobs);
    }
    const other = await p.generate({ messages: prompts[0]!, seed: 11, sampling });
    expect(other.tokenIds).not.toEqual(solo[0]!.tokenIds);
    p.dispose();
  });

  it('reports model log-probs that score() reproduces, and top-k 1 / tiny top-p equal greedy', async () => {
    const p = await tiny();
    const g = await p.generate({ messages: prompts[1]!, seed: 4, sampling: { maxNewTokens: 12, temperature: 0.7, topK: 20, topP: 0.9 } });
    const [row] = await p.score([{ contextIds: g.contextIds, continuationIds: g.tokenIds }]);
    expect(maxAbsDiff(row!, g.logprobs)).toBeLessThan(1e-4);
    const greedy = await p.generate({ messages: prompts[1]!, seed: 4, sampling: { greedy: true, maxNewTokens: 12 } });
    const k1 = await p.generate({ messages: prompts[1]!, seed: 7, sampling: { topK: 1, maxNewTokens: 12 } });
    const p0 = await p.generate({ messages: prompts[1]!, seed: 8, sampling: { topP: 1e-9, maxNewTokens: 12 } });
    expect(k1.tokenIds).toEqual(greedy.tokenIds);
    expect(p0.tokenIds).toEqual(greedy.tokenIds);
    p.dispose();
  });

  it('stops on stop strings, stop token ids and EOS; max new tokens gives finishReason length', async () => {
    const p = await tiny();
    const base = await p.generate({ messages: prompts[0]!, seed: 0, sampling: { greedy: true, maxNewTokens: 24 } });
    expect(base.finishReason).toBe('length');
    expect(base.tokenIds).toHaveLength(24);
    const cut = 10;
    const stopId = base.tokenIds[cut]!;
    const firstAt = base.tokenIds.indexOf(stopId);
    const byId = await p.generate({ messages: prompts[0]!, seed: 0, sampling: { greedy: true, maxNewTokens: 24, stopTokenIds: [stopId] } });
    expect(byId.finishReason).toBe('stop');
    expect(byId.tokenIds).toEqual(base.tokenIds.slice(0, firstAt + 1));
    const stop = p.tokenizer.decode(base.tokenIds.slice(cut, cut + 2));
    const byString = await p.generate({ messages: prompts[0]!, seed: 0, sampling: { greedy: true, maxNewTokens: 24, stopStrings: [stop] } });
    expect(byString.finishReason).toBe('stop');
    expect(byString.text).toContain(stop);
    expect(byString.tokenIds.length).toBeLessThanOrEqual(cut + 2);
    expect(p.tokenizer.decode(byString.tokenIds.slice(0, -1))).not.toContain(stop);
    // EOS: swap the LM-head rows of the greedy first token and <|end|>, so greedy decoding emits <|end|> first.
    const { tf } = await loadTf();
    const head = p.variables().get('lm_head.weight')!;
    const eos = p.eosTokenIds[0]!;
    const first = base.tokenIds[0]!;
    const perm = Array.from({ length: p.vocabSize }, (_, i) => (i === eos ? first : i === first ? eos : i));
    head.assign(tf.tidy(() => tf.gather(head, perm)));
    p.markUpdated();
    const ended = await p.generate({ messages: prompts[0]!, seed: 0, sampling: { greedy: true, maxNewTokens: 24 } });
    expect(ended.finishReason).toBe('stop');
    expect(ended.tokenIds).toEqual([eos]);
    expect(ended.text).toBe('');
    expect(ended.policyVersion).toBe(1);
    p.dispose();
  });

  it('reuses the exact token ids of earlier assistant messages in later contexts', async () => {
    const p = await tiny();
    const first = await p.generate({ messages: prompts[0]!, seed: 2, sampling: { maxNewTokens: 6 } });
    // Content deliberately differs from the ids: only the ids may be used.
    const messages: Message[] = [...prompts[0]!, { role: 'assistant', content: 'something else entirely', tokenIds: first.tokenIds }, { role: 'user', content: 'and 4+4?' }];
    const second = await p.generate({ messages, seed: 3, sampling: { maxNewTokens: 4 } });
    const prefix = [...first.contextIds, ...first.tokenIds];
    expect(second.contextIds.slice(0, prefix.length)).toEqual(prefix);
    const end = p.tokenizer.tokenToId('<|end|>')!;
    const rest = p.tokenizer.encode('<|end|><|user|>and 4+4?<|end|><|assistant|>');
    expect(second.contextIds.slice(prefix.length)).toEqual(rest);
    expect(second.contextText).toBe(p.tokenizer.decode(second.contextIds));
    // An action that ended with EOS is not followed by a second end token.
    const withEos: Message[] = [...prompts[0]!, { role: 'assistant', content: '42', tokenIds: [52, 50, end] }, { role: 'user', content: 'ok' }];
    const ids = p.contextIds(withEos);
    expect(ids.slice(first.contextIds.length)).toEqual([52, 50, end, ...p.tokenizer.encode('<|user|>ok<|end|><|assistant|>')]);
    p.dispose();
  });

  it('rejects contexts over maxContextLength and out-of-vocabulary ids with clear errors', async () => {
    const p = await tiny({ maxContextLength: 16 });
    await expect(p.generate({ messages: [{ role: 'user', content: 'a much longer prompt than sixteen tokens' }], seed: 0 })).rejects.toThrow(/maxContextLength 16/);
    await expect(p.generateFromIds({ contextIds: [1, 99999], seed: 0 })).rejects.toThrow(/outside the vocabulary/);
    const g = await p.generate({ messages: [{ role: 'user', content: 'hey' }], seed: 0, sampling: { maxNewTokens: 100 } });
    expect(g.finishReason).toBe('length');
    expect(g.contextIds.length + g.tokenIds.length).toBe(16);
    p.dispose();
  });

  it('aborts a queued generation through its signal', async () => {
    const p = await tiny();
    const ac = new AbortController();
    const pending = p.generate({ messages: prompts[0]!, seed: 0, sampling: { maxNewTokens: 50 }, signal: ac.signal });
    ac.abort(new Error('stop now'));
    await expect(pending).rejects.toThrow(/stop now/);
    const ok = await p.generate({ messages: prompts[0]!, seed: 0, sampling: { maxNewTokens: 3 } });
    expect(ok.tokenIds.length).toBeGreaterThan(0);
    p.dispose();
  });
});

describe('tfjs-transformer scoring and training interface', () => {
  it('batched scoring with padding equals unbatched scoring', async () => {
    const p = await tiny({ scoreBatchTokens: 10_000 });
    const reqs = prompts.map((m, i) => ({ contextIds: p.contextIds(m), continuationIds: p.tokenizer.encode(['42', 'The answer is 84.', 'ok then', '```python\nprint(12+3*4)\n```'][i]!) }));
    const batched = await p.score(reqs);
    for (const [i, r] of reqs.entries()) {
      const [alone] = await p.score([r]);
      expect(batched[i]).toHaveLength(r.continuationIds.length);
      expect(maxAbsDiff(batched[i]!, alone!)).toBeLessThan(1e-5);
    }
    const withEmpty = await p.score([{ contextIds: reqs[0]!.contextIds, continuationIds: [] }, reqs[1]!]);
    expect(withEmpty[0]).toEqual([]);
    expect(maxAbsDiff(withEmpty[1]!, batched[1]!)).toBeLessThan(1e-5);
    const small = await tiny({ scoreBatchTokens: 1 });
    const split = await small.score(reqs);
    for (const [i] of reqs.entries()) expect(maxAbsDiff(split[i]!, batched[i]!)).toBeLessThan(1e-5);
    p.dispose();
    small.dispose();
  });

  it('forward is differentiable, snapshot is frozen, markUpdated bumps the version and drops caches', async () => {
    const { tf } = await loadTf();
    const p = await tiny();
    const ids = tf.tensor2d([[5, 6, 7, 8], [9, 10, 0, 0]], [2, 4], 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 0, 0]], [2, 4]);
    const frozen = p.snapshot();
    const before = tf.tidy(() => p.forward(ids, mask).dataSync().slice());
    expect(maxAbsDiff(tf.tidy(() => frozen.forward(ids, mask).dataSync().slice()), before)).toBeLessThan(1e-5);
    const g0 = await p.generate({ messages: prompts[0]!, seed: 0, sampling: { greedy: true, maxNewTokens: 8 } });
    const vars = [...p.variables().values()];
    const opt = tf.train.sgd(0.5);
    for (let i = 0; i < 3; i++) {
      opt.minimize(() => tf.neg(tf.mean(tf.slice(tf.reshape(tf.slice(tf.logSoftmax(p.forward(ids, mask)), [0, 0, 0], [1, 1, p.vocabSize]), [-1]), [42], [1]))) as never, false, vars);
    }
    p.markUpdated();
    expect(p.version).toBe(1);
    const after = tf.tidy(() => p.forward(ids, mask).dataSync().slice());
    expect(maxAbsDiff(after, before)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(tf.tidy(() => frozen.forward(ids, mask).dataSync().slice()), before)).toBeLessThan(1e-5);
    const g1 = await p.generate({ messages: prompts[0]!, seed: 0, sampling: { greedy: true, maxNewTokens: 8 } });
    expect(g1.policyVersion).toBe(1);
    const [rescored] = await p.score([{ contextIds: g0.contextIds, continuationIds: g0.tokenIds }]);
    expect(maxAbsDiff(rescored!, g0.logprobs)).toBeGreaterThan(1e-4);
    frozen.dispose();
    opt.dispose();
    tf.dispose([ids, mask]);
    p.dispose();
  });

  it('does not leak tensors across repeated generate and score calls', async () => {
    const { tf } = await loadTf();
    const p = await tiny();
    const round = async () => {
      const gs = await Promise.all(prompts.map((messages, i) => p.generate({ messages, seed: i, sampling: { maxNewTokens: 6 } })));
      await p.score(gs.map((g) => ({ contextIds: g.contextIds, continuationIds: g.tokenIds })));
    };
    await round();
    const start = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await round();
    expect(tf.memory().numTensors).toBe(start);
    p.dispose();
  });
});
