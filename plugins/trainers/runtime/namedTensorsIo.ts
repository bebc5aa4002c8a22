import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import { atomicWriteFile } from '../../../core/util/atomicWrite.js';
import type { Tf } from '../../tfjs/loadTf.js';

/** Writes named tensors as `<base>.bin` + `<base>.json` (tfjs weight specs), each file atomically. */
export async function writeNamedTensors(tf: Tf, dir: string, base: string, tensors: ReadonlyMap<string, TF.Tensor>): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights([...tensors].map(([name, tensor]) => ({ name, tensor })));
  await atomicWriteFile(join(dir, `${base}.bin`), new Uint8Array(data));
  await atomicWriteFile(join(dir, `${base}.json`), JSON.stringify({ specs }));
}

/** Reads tensors written by `writeNamedTensors`; the caller owns (and disposes) them. */
export async function readNamedTensors(tf: Tf, dir: string, base: string): Promise<Map<string, TF.Tensor>> {
  const { specs } = JSON.parse(await readFile(join(dir, `${base}.json`), 'utf8')) as { specs: TF.io.WeightsManifestEntry[] };
  const buf = await readFile(join(dir, `${base}.bin`));
  const named = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, specs);
  return new Map(Object.entries(named));
}
