import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { loadPeftAdapter } from '../../plugins/policies/tfjs-transformer/lora/loadPeftAdapter.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { hfTinyDir, maxAbsDiff } from './hfTinyFixtures.js';

const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('mappa model with LoRA adapters', () => {
  it('score/generate --adapter use the adapter; merge writes a full checkpoint that scores the same', async () => {
    const { tf } = await loadTf();
    const base = join(hfTinyDir(), 'qwen2-tiny');
    const tmp = await mkdtemp(join(tmpdir(), 'mappa-lora-cli-'));
    temps.push(tmp);
    const lora = await createTfjsTransformerPolicy({ path: base, lora: { r: 4, alpha: 8, seed: 2 } });
    let k = 0;
    for (const [n, v] of lora.variables()) if (n.endsWith('lora_B.weight')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.05, 'float32', k++)));
    lora.markUpdated();
    const adapter = join(tmp, 'adapter');
    await lora.save(adapter);
    const ids = [1, 5, 9, 200, 300, 7];
    const [want] = await lora.score([{ contextIds: ids.slice(0, 1), continuationIds: ids.slice(1) }]);
    lora.dispose();

    const scored = await run(['model', 'score', '--model', base, '--adapter', adapter, '--ids', ids.join(',')]);
    expect(scored.code, scored.err).toBe(0);
    expect(maxAbsDiff((JSON.parse(scored.out) as { nextTokenLogprobs: number[] }).nextTokenLogprobs, want!)).toBeLessThan(1e-5);
    const plain = await run(['model', 'score', '--model', base, '--ids', ids.join(',')]);
    expect(maxAbsDiff((JSON.parse(plain.out) as { nextTokenLogprobs: number[] }).nextTokenLogprobs, want!)).toBeGreaterThan(1e-4);

    const out = join(tmp, 'merged');
    const merged = await run(['model', 'merge', '--base', base, '--adapter', adapter, '--out', out]);
    expect(merged.code, merged.err).toBe(0);
    expect(JSON.parse(merged.out)).toMatchObject({ mergedMatrices: 14 });
    expect(await readdir(out)).toContain('model.safetensors');
    const fromMerged = await run(['model', 'score', '--model', out, '--ids', ids.join(',')]);
    expect(maxAbsDiff((JSON.parse(fromMerged.out) as { nextTokenLogprobs: number[] }).nextTokenLogprobs, want!)).toBeLessThan(1e-5);

    const genA = await run(['model', 'generate', '--model', base, '--adapter', adapter, '--ids', '1,5,9', '--max-new-tokens', '6', '--greedy']);
    const genM = await run(['model', 'generate', '--model', out, '--ids', '1,5,9', '--max-new-tokens', '6', '--greedy']);
    expect(genA.code, genA.err).toBe(0);
    expect((JSON.parse(genA.out) as { ids: number[] }).ids).toEqual((JSON.parse(genM.out) as { ids: number[] }).ids);

    // The library entry point for servers: adapters load and unload on one base without copying it.
    const basePolicy = await createTfjsTransformerPolicy({ path: base });
    const before = tf.memory().numBytes;
    const a1 = await loadPeftAdapter(adapter, basePolicy, { id: 'a1' });
    const a2 = await loadPeftAdapter(adapter, basePolicy, { id: 'a2' });
    const [s1] = await a1.score([{ contextIds: ids.slice(0, 1), continuationIds: ids.slice(1) }]);
    expect(maxAbsDiff(s1!, want!)).toBeLessThan(1e-5);
    a1.dispose();
    const [s2] = await a2.score([{ contextIds: ids.slice(0, 1), continuationIds: ids.slice(1) }]);
    expect(s2).toEqual(s1);
    a2.dispose();
    // Unloading the last adapter frees its tensors and the shared inference weights (the base's own weights stay).
    expect(tf.memory().numBytes - before).toBeLessThanOrEqual(2 * 1024);
    const [s0] = await basePolicy.score([{ contextIds: ids.slice(0, 1), continuationIds: ids.slice(1) }]);
    expect(maxAbsDiff(s0!, (JSON.parse(plain.out) as { nextTokenLogprobs: number[] }).nextTokenLogprobs)).toBeLessThan(1e-6);
    basePolicy.dispose();

    const bad = await run(['model', 'score', '--model', join(hfTinyDir(), 'llama-tiny'), '--adapter', join(tmp, 'nope'), '--ids', '1,2']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/nope\/adapter_config\.json: cannot read the adapter config/);
  });
});
