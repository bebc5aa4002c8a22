import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { nativeDecodeEnabled } from '../../plugins/policies/tfjs-transformer/NativeDecoder.js';
import type { TfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { activeMatmulAddon, findMatmulAddon, installNativeMatmul, useNativeMatmul } from '../../plugins/tfjs/nativeMatmul.js';
import { FP32_MODELS, hfTinyDir } from './hfTinyFixtures.js';

const { tf, backend } = await loadTf();
const haveAddon = Boolean(findMatmulAddon());

describe('native decode: configuration', () => {
  it('parses MAPPA_NATIVE_DECODE (on unless 0) and rejects unknown values', () => {
    expect(nativeDecodeEnabled({})).toBe(true);
    expect(nativeDecodeEnabled({ MAPPA_NATIVE_DECODE: '1' })).toBe(true);
    expect(nativeDecodeEnabled({ MAPPA_NATIVE_DECODE: '0' })).toBe(false);
    expect(() => nativeDecodeEnabled({ MAPPA_NATIVE_DECODE: 'fast' })).toThrow(/MAPPA_NATIVE_DECODE=fast is not valid/);
  });
});

// CI installs g++ and libopenblas-dev, so the addon must be there; elsewhere a missing build skips these.
describe.runIf(backend === 'wasm' && (haveAddon || Boolean(process.env['CI'])))('native decode: the fused KV-cache step', () => {
  const on = installNativeMatmul(tf, 'wasm', { MAPPA_NATIVE_MATMUL: '1' });
  const policies: TfjsTransformerPolicy[] = [];
  afterAll(() => {
    for (const p of policies) p.dispose();
    useNativeMatmul(tf, false);
  });

  /** Runs `fn` with the fused step on or off (the engine picks its decoder when an idle engine admits rows). */
  async function withDecode<T>(native: boolean, fn: () => Promise<T>): Promise<T> {
    const old = process.env['MAPPA_NATIVE_DECODE'];
    process.env['MAPPA_NATIVE_DECODE'] = native ? '1' : '0';
    try {
      return await fn();
    } finally {
      if (old === undefined) delete process.env['MAPPA_NATIVE_DECODE'];
      else process.env['MAPPA_NATIVE_DECODE'] = old;
    }
  }

  const contexts = (vocab: number) => [
    [1, 5, 9, 13, 17, 21, 25].map((x) => x % vocab),
    [2, 4].map((x) => x % vocab),
    Array.from({ length: 19 }, (_, i) => (i * 7 + 3) % vocab),
  ];

  async function generateAll(p: TfjsTransformerPolicy, greedy: boolean) {
    return Promise.all(contexts(p.vocabSize).map((contextIds, i) =>
      p.generateFromIds({ contextIds, seed: 10 + i, sampling: { maxNewTokens: 12, greedy, temperature: 1 }, ignoreEos: true })));
  }

  it('is available with the OpenBLAS matmul on', () => {
    expect(on.path).toBe('openblas');
    expect(typeof activeMatmulAddon(tf)?.decode).toBe('function');
  });

  const models: Array<[string, () => Promise<TfjsTransformerPolicy>]> = [
    ...FP32_MODELS.map((m): [string, () => Promise<TfjsTransformerPolicy>] => [m, () => createTfjsTransformerPolicy({ path: join(hfTinyDir(), m) })]),
    ['tiny preset (grouped-query attention)', () => createTfjsTransformerPolicy({ preset: 'tiny', seed: 4, maxContextLength: 64 })],
  ];
  for (const [name, make] of models) {
    it(`${name}: the same greedy tokens and log-probs (1e-4) as the tfjs decode ops, in fused native steps`, async () => {
      const p = await make();
      policies.push(p);
      const before = p.generationStats.nativeSteps;
      const ops = await withDecode(false, () => generateAll(p, true));
      expect(p.generationStats.nativeSteps).toBe(before);
      const fused = await withDecode(true, () => generateAll(p, true));
      expect(p.generationStats.nativeSteps).toBeGreaterThanOrEqual(11);
      for (let i = 0; i < ops.length; i++) {
        expect(fused[i]!.tokenIds).toEqual(ops[i]!.tokenIds);
        const diff = Math.max(...fused[i]!.logprobs.map((l, j) => Math.abs(l - ops[i]!.logprobs[j]!)));
        expect(diff).toBeLessThan(1e-4);
      }
    });
  }

  it("a row's sampled tokens and log-probs do not depend on the rows sharing its steps (bit for bit)", async () => {
    const p = await createTfjsTransformerPolicy({ path: join(hfTinyDir(), 'qwen3-tiny') });
    policies.push(p);
    await withDecode(true, async () => {
      const together = await generateAll(p, false);
      const alone = [];
      for (const [i, contextIds] of contexts(p.vocabSize).entries()) {
        alone.push(await p.generateFromIds({ contextIds, seed: 10 + i, sampling: { maxNewTokens: 12, temperature: 1 }, ignoreEos: true }));
      }
      for (let i = 0; i < alone.length; i++) {
        expect(together[i]!.tokenIds).toEqual(alone[i]!.tokenIds);
        expect(together[i]!.logprobs).toEqual(alone[i]!.logprobs);
      }
    });
  });

  it('an adapter (LoRA) policy keeps the tfjs decode ops', async () => {
    const p = await createTfjsTransformerPolicy({ path: join(hfTinyDir(), 'llama-tiny'), lora: { r: 2, alpha: 4, seed: 1 } });
    policies.push(p);
    await withDecode(true, () => generateAll(p, true));
    expect(p.generationStats.steps).toBeGreaterThan(0);
    expect(p.generationStats.nativeSteps).toBe(0);
  });

  it('prefill and decode give the same bits wherever the weights and caches sit in memory (a resumed run allocates differently)', () => {
    const addon = activeMatmulAddon(tf)!;
    for (const qkNorm of [0, 1]) {
      // 2 layers, hidden 48, 4 heads, 2 kv heads, head dim 12, intermediate 80, vocab 37: sizes with vector remainders.
      const [L, D, H, KV, HD, I, V] = [2, 48, 4, 2, 12, 80, 37];
      const Q = (H + 2 * KV) * HD;
      const sizes = [D * Q, Q, HD, HD, H * HD * D, D, D * 2 * I, 2 * I, I * D, D];
      const floats = L * sizes.reduce((a, b) => a + b, 0) + 2 * V * D;
      let x = 12345;
      const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.4;
      const values = Float32Array.from({ length: floats }, rand);
      const T = 21;
      const cap = T + 4;
      const ctx = Int32Array.from({ length: T }, (_, i) => (i * 5 + 2) % V);
      const { cos, sin } = (() => {
        const c = new Float32Array(cap * HD);
        const s = new Float32Array(cap * HD);
        for (let p = 0; p < cap; p++) for (let e = 0; e < HD; e++) {
          const a = p / 10000 ** ((2 * (e % (HD / 2))) / HD);
          c[p * HD + e] = Math.cos(a);
          s[p * HD + e] = Math.sin(a);
        }
        return { cos: c, sin: s };
      })();
      const run = (shiftFloats: number, cacheShift: number) => {
        const heap = new ArrayBuffer(4 * (floats + 64));
        new Float32Array(heap, 4 * shiftFloats, floats).set(values);
        const offsets: number[] = [];
        let at = 4 * shiftFloats;
        for (let l = 0; l < L; l++) sizes.forEach((n, slot) => {
          offsets.push(qkNorm === 0 && (slot === 2 || slot === 3) ? -1 : at);
          at += 4 * n;
        });
        offsets.push(at, at + 4 * V * D);
        const dims = Int32Array.from([L, D, H, KV, HD, I, V, qkNorm, 1]);
        const cacheFloats = L * 2 * cap * KV * HD;
        const cache = new Float32Array(new ArrayBuffer(4 * (cacheFloats + 16)), 4 * cacheShift, cacheFloats);
        const pre = new Float32Array(V);
        addon.prefill!(heap, dims, 1e-6, Float64Array.from(offsets), ctx, Int32Array.from([T]), cos, sin, [cache], Int32Array.from([cap]), pre);
        const steps: number[] = [...pre];
        let token = 3;
        for (let p = T; p < cap; p++) {
          const out = new Float32Array(V);
          addon.decode!(heap, dims, 1e-6, Float64Array.from(offsets), Int32Array.from([token]), Int32Array.from([p]), cos.slice(p * HD, (p + 1) * HD), sin.slice(p * HD, (p + 1) * HD), [cache], Int32Array.from([cap]), out);
          steps.push(...out);
          token = (token + 7) % V;
        }
        return steps;
      };
      const reference = run(0, 0);
      expect(reference.every(Number.isFinite)).toBe(true);
      for (const [w, c] of [[1, 0], [2, 3], [3, 1], [5, 2], [7, 7], [13, 5]] as const) expect(run(w, c)).toEqual(reference);
    }
  });

  it('the addon validates every access: bad calls throw a RangeError naming the problem', () => {
    const addon = activeMatmulAddon(tf)!;
    const heap = new ArrayBuffer(4096);
    // 1 layer, hidden 4, 2 heads, 1 kv head, head dim 2, intermediate 4, vocab 3, no qk-norm, 1 row.
    const dims = Int32Array.from([1, 4, 2, 1, 2, 4, 3, 0, 1]);
    const offsets = () => Float64Array.from([0, -1, -1, -1, 256, -1, 512, -1, 1024, -1, 1536, 2048]);
    const call = (over: Partial<{ offsets: Float64Array; tokens: Int32Array; positions: Int32Array; cache: Float32Array; dims: Int32Array }> = {}) =>
      addon.decode!(heap, over.dims ?? dims, 1e-6, over.offsets ?? offsets(), over.tokens ?? Int32Array.from([1]), over.positions ?? Int32Array.from([0]),
        new Float32Array(2), new Float32Array(2), [over.cache ?? new Float32Array(1 * 2 * 4 * 1 * 2)], Int32Array.from([4]), new Float32Array(3));
    expect(() => call()).not.toThrow();
    const past = offsets();
    past[8] = 4088;
    expect(() => call({ offsets: past })).toThrow(/layer 0 slot 8 extends past the end of the heap/);
    const odd = offsets();
    odd[0] = 2;
    expect(() => call({ offsets: odd })).toThrow(/4-byte-aligned/);
    const missing = offsets();
    missing[4] = -1;
    expect(() => call({ offsets: missing })).toThrow(/slot 4 is required/);
    expect(() => call({ tokens: Int32Array.from([3]) })).toThrow(/outside the vocabulary/);
    expect(() => call({ positions: Int32Array.from([4]) })).toThrow(/outside the row's capacity/);
    expect(() => call({ cache: new Float32Array(5) })).toThrow(/caches\[0\] does not hold/);
    expect(() => call({ dims: Int32Array.from([1, 4, 3, 2, 2, 4, 3, 0, 1]) })).toThrow(/multiple of kvHeads/);
  });
});
