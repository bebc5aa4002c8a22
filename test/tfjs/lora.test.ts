import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { mergeLora } from '../../plugins/policies/tfjs-transformer/lora/LoraAdapter.js';
import { sharedBaseKeys } from '../../plugins/policies/tfjs-transformer/lora/LoraBase.js';
import type { TfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import type { PluginDeps } from '../../core/plugins/PluginDefinition.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { tfjsTransformerPolicyPlugin } from '../../plugins/policies/tfjs-transformer/tfjsTransformerPolicyPlugin.js';
import { describePolicyConformance } from '../conformance/policyConformance.js';
import { FP32_MODELS, hfTinyDir, maxAbsDiff } from './hfTinyFixtures.js';

const fixtures = hfTinyDir();
const { tf } = await loadTf();
const IDS = [
  [1, 5, 9, 200, 300, 7, 11, 13],
  [4, 8, 15, 16, 23, 42, 0, 0],
];
const MASK = [
  [1, 1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1, 1, 0, 0],
];

function logitsOf(f: (ids: TF.Tensor2D, mask: TF.Tensor2D) => TF.Tensor3D): Float32Array {
  return tf.tidy(() => f(tf.tensor2d(IDS, undefined, 'int32'), tf.tensor2d(MASK)).dataSync() as Float32Array).slice();
}

/** Gives every B matrix random values (a new adapter's B is zero, which would hide the adapter's effect). */
function randomizeB(p: TfjsTransformerPolicy, seed: number): void {
  let i = 0;
  for (const [name, v] of p.variables()) {
    if (name.endsWith('lora_B.weight')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.05, 'float32', seed + i++)));
  }
  p.markUpdated();
}

const policies: TfjsTransformerPolicy[] = [];
afterAll(() => {
  for (const p of policies) p.dispose();
});

describe('LoRA on the tfjs-transformer', () => {
  for (const name of FP32_MODELS) {
    it(`${name}: a new adapter equals the base exactly; a trained one equals the merged model (train and inference paths)`, async () => {
      const dir = join(fixtures, name);
      const full = await createTfjsTransformerPolicy({ path: dir });
      const lora = await createTfjsTransformerPolicy({ path: dir, lora: { r: 4, alpha: 8, seed: 3 } });
      policies.push(full, lora);
      const base = logitsOf((i, m) => full.forward(i, m));
      // B = 0: the training forward adds exact zeros, the inference path's low-rank product is exactly zero.
      expect(maxAbsDiff(logitsOf((i, m) => lora.forward(i, m)), base)).toBe(0);
      const seq = { contextIds: [1, 5, 9], continuationIds: [200, 300, 7] };
      expect((await lora.score([seq]))[0]).toEqual((await full.score([seq]))[0]);

      randomizeB(lora, 11);
      const trainPath = logitsOf((i, m) => lora.forward(i, m));
      expect(maxAbsDiff(trainPath, base)).toBeGreaterThan(1e-3);
      // The merged model: W + s·B·A in a full policy.
      const merged = mergeLora(tf, full.config, full.variables(), lora.variables(), lora.lora!.adapter.settings);
      for (const [n, v] of full.variables()) if (merged.get(n) !== v) v.assign(merged.get(n)!);
      for (const [n, t] of merged) if (full.variables().get(n) !== t) t.dispose();
      full.markUpdated();
      const mergedLogits = logitsOf((i, m) => full.forward(i, m));
      expect(maxAbsDiff(trainPath, mergedLogits)).toBeLessThan(2e-5);
      // Inference path (fused q|k|v and gate|up, folded gains): score and the frozen snapshot.
      const [a] = await lora.score([seq]);
      const [b] = await full.score([seq]);
      expect(maxAbsDiff(a!, b!)).toBeLessThan(2e-5);
      const snap = lora.snapshot();
      expect(maxAbsDiff(logitsOf((i, m) => snap.forward(i, m)), mergedLogits)).toBeLessThan(2e-5);
      snap.dispose();
      // Greedy generation with the KV cache follows the merged model.
      const g1 = await lora.generateFromIds({ contextIds: [1, 5, 9], seed: 0, sampling: { greedy: true, maxNewTokens: 8 }, ignoreEos: true });
      const g2 = await full.generateFromIds({ contextIds: [1, 5, 9], seed: 0, sampling: { greedy: true, maxNewTokens: 8 }, ignoreEos: true });
      expect(g1.tokenIds).toEqual(g2.tokenIds);
      full.dispose();
      lora.dispose();
    });
  }

  it('gradients of A and B match finite differences; the base gets none', async () => {
    const p = await createTfjsTransformerPolicy({ path: join(fixtures, 'qwen2-tiny'), lora: { r: 2, alpha: 4, targets: ['q_proj', 'v_proj', 'down_proj'], seed: 5 } });
    policies.push(p);
    randomizeB(p, 2);
    const weightsOfLoss = tf.tidy(() => tf.randomNormal([2, 8, p.vocabSize], 0, 1, 'float32', 9));
    const loss = () => tf.tidy(() => tf.mul(tf.sum(tf.mul(p.forward(tf.tensor2d(IDS, undefined, 'int32'), tf.tensor2d(MASK)), weightsOfLoss)), 1e-2) as TF.Scalar);
    const vars = p.variables();
    expect([...vars.keys()].every((n) => /lora_[AB]\.weight$/.test(n))).toBe(true);
    const { grads } = tf.variableGrads(loss, [...vars.values()]);
    const checked: Array<[number, number]> = [];
    for (const name of ['model.layers.0.self_attn.q_proj.lora_A.weight', 'model.layers.1.mlp.down_proj.lora_B.weight', 'model.layers.1.self_attn.v_proj.lora_B.weight']) {
      const v = vars.get(name)!;
      const g = grads[v.name]!.dataSync();
      const data = v.dataSync().slice();
      for (const idx of [0, 3, data.length - 1]) {
        const eps = 1e-2;
        const at = (delta: number) => {
          const d = data.slice();
          d[idx] = d[idx]! + delta;
          tf.tidy(() => v.assign(tf.tensor(d, v.shape)));
          const l = loss();
          const val = l.dataSync()[0]!;
          l.dispose();
          return val;
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
        checked.push([g[idx]!, fd]);
      }
    }
    tf.dispose(Object.values(grads));
    weightsOfLoss.dispose();
    for (const [g, fd] of checked) expect(Math.abs(g - fd)).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
    expect(checked.some(([g]) => Math.abs(g) > 1e-3)).toBe(true);
  });

  it('three adapters on one base hold one copy of the base weights', async () => {
    const before = tf.memory().numBytes;
    const mk = (id: string, seed: number) => createTfjsTransformerPolicy({ id, preset: 'small', seed: 7, base: 'shared-small', lora: { r: 8, seed } });
    const agents = [await mk('a', 1), await mk('b', 2), await mk('c', 3)];
    policies.push(...agents);
    const baseBytes = agents[0]!.lora!.base.bytes;
    expect(agents[1]!.lora!.base).toBe(agents[0]!.lora!.base);
    const adapterBytes = agents.reduce((s, p) => s + [...p.variables().values()].reduce((t, v) => t + v.size * 4, 0), 0);
    const held = tf.memory().numBytes - before;
    // One base, three adapters (r = 8 on all targets: 9% of the small preset each) — far below three bases.
    // Besides: each TransformerModel's two rotate_half matrices (head_dim² floats), one per policy and one for the base.
    const rot = 2 * 4 * agents[0]!.config.headDim ** 2;
    expect(held).toBe(baseBytes + adapterBytes + 4 * rot);
    expect(held).toBeLessThan(1.35 * baseBytes);
    // The base's fused inference weights are built once for all adapters (three full models would hold 3 × 2 copies).
    await Promise.all(agents.map((p) => p.generateFromIds({ contextIds: [1, 2, 3], seed: 0, sampling: { maxNewTokens: 2 } })));
    const withInference = tf.memory().numBytes - before;
    expect(withInference).toBeLessThan(3 * baseBytes);
    expect(withInference - held).toBeLessThan(1.5 * baseBytes);
    await expect(createTfjsTransformerPolicy({ id: 'd', preset: 'small', seed: 8, base: 'shared-small', lora: {} })).rejects.toThrow(/LoRA base "shared-small" is already loaded/);
    for (const p of agents) p.dispose();
    expect(sharedBaseKeys()).not.toContain('shared-small');
    // Everything is freed with the last adapter (up to 1 KB per generating policy that full models leave too).
    expect(tf.memory().numBytes - before).toBeLessThanOrEqual(3 * 1024);
  });
});

describePolicyConformance('tfjs-transformer (LoRA adapter on the qwen2-tiny checkpoint)', {
  create: () => createTfjsTransformerPolicy({ path: join(fixtures, 'qwen2-tiny'), lora: { r: 4, targets: ['q_proj', 'v_proj', 'up_proj'] } }),
  deterministic: true,
  exposesTokens: true,
});

describe('tfjs-transformer plugin config with lora', () => {
  const schema = tfjsTransformerPolicyPlugin.configSchema;
  it('fills PEFT-like defaults and refuses what is not supported', () => {
    const c = schema.parse({ preset: 'tiny', lora: {} });
    expect(c.lora).toMatchObject({ r: 8, alpha: 8, dropout: 0, rslora: false, reference: 'initial', targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] });
    expect(schema.safeParse({ preset: 'tiny', lora: { targets: ['lm_head'] } }).success).toBe(false);
    expect(schema.safeParse({ preset: 'tiny', lora: { dropout: 0.1 } }).success).toBe(false);
    const noLora = schema.safeParse({ preset: 'tiny', base: 'shared' });
    expect(noLora.success).toBe(false);
    expect(JSON.stringify(noLora.error?.issues)).toMatch(/only applies to LoRA policies/);
  });
  it('LoRA policies built by the plugin share their base by default; full ones keep their own weights', async () => {
    const deps = (id: string) => ({
      run: { runDir: '/tmp', cacheDir: '/tmp', baseDir: '/tmp', seed: 3, signal: new AbortController().signal },
      logger: silentLogger,
      plugins: {} as PluginDeps['plugins'],
      path: `policies.${id}`,
      id,
    });
    const make = async (id: string, cfg: Record<string, unknown>) => (await tfjsTransformerPolicyPlugin.create(schema.parse(cfg), deps(id))) as TfjsTransformerPolicy;
    const a = await make('a', { preset: 'tiny', lora: {} });
    const b = await make('b', { preset: 'tiny', lora: { r: 4 } });
    const c = await make('c', { preset: 'tiny' });
    policies.push(a, b, c);
    expect(a.lora!.base).toBe(b.lora!.base);
    // Different adapter seeds per policy (derived from the policy name).
    const firstA = (p: TfjsTransformerPolicy) => [...p.variables().values()][0]!.dataSync().slice(0, 4);
    expect(firstA(a)).not.toEqual(firstA(b));
    expect(c.lora).toBeUndefined();
    for (const p of [a, b, c]) p.dispose();
  });
});
