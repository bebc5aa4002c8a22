import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import { atomicWriteFile } from '../../../core/util/atomicWrite.js';
import { firstNonFinite } from '../../../core/util/firstNonFinite.js';
import { MappaError } from '../../../core/util/MappaError.js';
import type { Tf } from '../../tfjs/loadTf.js';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
const DAMAGED = 'the checkpoint is damaged: resume from an earlier one';

/** Writes named tensors as `<base>.bin` + `<base>.json` (tfjs weight specs), each file atomically; never non-finite values. */
export async function writeNamedTensors(tf: Tf, dir: string, base: string, tensors: ReadonlyMap<string, TF.Tensor>): Promise<void> {
  for (const [name, tensor] of tensors) {
    if (tensor.dtype !== 'float32') continue;
    const values = (await tensor.data()) as Float32Array;
    const bad = firstNonFinite(values);
    if (bad >= 0) {
      throw new MappaError(`${join(dir, base)}: '${name}' is non-finite (${values[bad]} at index ${bad}); not saving it`, {
        hint: 'training diverged: lower the learning rate and resume from an earlier checkpoint',
      });
    }
  }
  const { data, specs } = await tf.io.encodeWeights([...tensors].map(([name, tensor]) => ({ name, tensor })));
  await atomicWriteFile(join(dir, `${base}.bin`), new Uint8Array(data));
  await atomicWriteFile(join(dir, `${base}.json`), JSON.stringify({ specs }));
}

/** Reads tensors written by `writeNamedTensors`; the caller owns (and disposes) them. Sizes and values are checked. */
export async function readNamedTensors(tf: Tf, dir: string, base: string): Promise<Map<string, TF.Tensor>> {
  const specFile = join(dir, `${base}.json`);
  const binFile = join(dir, `${base}.bin`);
  let specs: TF.io.WeightsManifestEntry[];
  try {
    specs = (JSON.parse(await readFile(specFile, 'utf8')) as { specs: TF.io.WeightsManifestEntry[] }).specs;
    if (!Array.isArray(specs)) throw new Error('no "specs" list');
  } catch (err) {
    throw new MappaError(`${specFile} is unreadable: ${(err as Error).message}`, { hint: DAMAGED });
  }
  const buf = await readFile(binFile).catch((err: Error) => {
    throw new MappaError(`${binFile} is unreadable: ${err.message}`, { hint: DAMAGED });
  });
  let expected = 0;
  for (const s of specs) {
    const per = BYTES[s.dtype];
    if (per === undefined || !Array.isArray(s.shape) || s.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new MappaError(`${specFile}: entry '${String(s.name)}' has an unsupported dtype or shape`, { hint: DAMAGED });
    }
    expected += per * s.shape.reduce((a, b) => a * b, 1);
  }
  if (buf.byteLength !== expected) {
    throw new MappaError(`${binFile} holds ${buf.byteLength} bytes but ${specFile} describes ${expected} (truncated or mismatched)`, { hint: DAMAGED });
  }
  const named = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, specs);
  for (const [name, tensor] of Object.entries(named)) {
    if (tensor.dtype !== 'float32') continue;
    const values = tensor.dataSync() as Float32Array;
    const bad = firstNonFinite(values);
    if (bad >= 0) {
      for (const t of Object.values(named)) t.dispose();
      throw new MappaError(`${binFile}: '${name}' holds non-finite values (${values[bad]} at index ${bad})`, { hint: DAMAGED });
    }
  }
  return new Map(Object.entries(named));
}
