import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { encodeSafetensors } from '../../plugins/policies/tfjs-transformer/safetensors.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { readNamedTensors, writeNamedTensors } from '../../plugins/trainers/runtime/namedTensorsIo.js';
import { hfTinyDir, readAllTensors } from './hfTinyFixtures.js';

/* Issue 18 item 6: NaN/Inf weights or optimizer state and negative policy versions are refused on load, never saved. */

const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});
async function temp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'mappa-nonfinite-'));
  temps.push(d);
  return d;
}
async function fixtureCopy(): Promise<string> {
  const dir = await temp();
  await cp(join(hfTinyDir(), 'llama-tiny'), dir, { recursive: true });
  return dir;
}

describe('non-finite state (issue 18 item 6)', () => {
  it('a NaN in model.safetensors is refused on load, naming the file and tensor', async () => {
    const dir = await fixtureCopy();
    const all = await readAllTensors(join(dir, 'model.safetensors'));
    const tensors = [...all].map(([name, t]) => ({ name, shape: [...t.shape], data: Float32Array.from(t.data as Float32Array) }));
    tensors[1]!.data[3] = Number.NaN;
    await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(tensors, 'float32'));
    const err = await createTfjsTransformerPolicy({ path: dir }).then(
      (p) => (p.dispose(), undefined),
      (e: Error) => e,
    );
    expect(err?.message).toContain('model.safetensors');
    expect(err?.message).toContain(tensors[1]!.name);
    expect(err?.message).toMatch(/non-finite/);
  });

  it('a policy whose weights went non-finite refuses to save; a negative policy version is refused on load', async () => {
    const { tf } = await loadTf();
    const dir = await fixtureCopy();
    const p = await createTfjsTransformerPolicy({ path: dir });
    try {
      const out = await temp();
      await p.save(join(out, 'ok'), { exact: true });
      await writeFile(join(out, 'ok', 'mappa_policy.json'), JSON.stringify({ policyVersion: -4 }));
      await expect(p.load(join(out, 'ok'))).rejects.toThrow(/mappa_policy\.json.*policyVersion/);
      const [name, v] = [...p.variables()][0]!;
      v.assign(tf.fill(v.shape, Number.POSITIVE_INFINITY));
      const err = await p.save(join(out, 'bad'), { exact: true }).then(() => undefined, (e: Error) => e);
      expect(err?.message).toContain(name);
      expect(err?.message).toContain('non-finite');
    } finally {
      p.dispose();
    }
  });

  it('optimizer state with NaN is never written and refused when read; a truncated .bin is an error naming it', async () => {
    const { tf } = await loadTf();
    const dir = await temp();
    const good = new Map([['m.w', tf.tensor1d([1, 2, 3])]]);
    await writeNamedTensors(tf, dir, 'optimizer', good);
    const bin = await readFile(join(dir, 'optimizer.bin'));
    await writeFile(join(dir, 'optimizer.bin'), bin.subarray(0, 5));
    await expect(readNamedTensors(tf, dir, 'optimizer')).rejects.toThrow(/optimizer\.bin/);
    const bad = new Map([['m.w', tf.tensor1d([1, Number.NaN, 3])]]);
    await expect(writeNamedTensors(tf, dir, 'bad', bad)).rejects.toThrow(/'m\.w' is non-finite/);
    // A NaN that got on disk anyway (bit flip, another tool) is refused when read.
    const { data, specs } = await tf.io.encodeWeights([{ name: 'm.w', tensor: bad.get('m.w')! }]);
    await writeFile(join(dir, 'flipped.bin'), new Uint8Array(data));
    await writeFile(join(dir, 'flipped.json'), JSON.stringify({ specs }));
    await expect(readNamedTensors(tf, dir, 'flipped')).rejects.toThrow(/flipped\.bin: 'm\.w' holds non-finite/);
  });
});
