import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SafetensorsReader } from '../../plugins/policies/tfjs-transformer/safetensors.js';
import type { LoadedTensor } from '../../plugins/policies/tfjs-transformer/safetensors.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * The hf-tiny fixtures (made with Hugging Face transformers; see their README) are vendored in test/fixtures/hf-tiny,
 * so a clean clone tests without anything next to it. `MAPPA_SHARED_DIR` points at another copy (e.g. a newer
 * shared/ folder). Missing fixtures fail the tests, never skip them.
 */
export function hfTinyDir(): string {
  const candidates = [
    process.env['MAPPA_SHARED_DIR'] ? join(process.env['MAPPA_SHARED_DIR'], 'fixtures', 'hf-tiny') : undefined,
    join(root, 'test', 'fixtures', 'hf-tiny'),
  ].filter((c): c is string => !!c);
  for (const dir of candidates) {
    if (existsSync(join(dir, 'README.md'))) return dir;
  }
  throw new Error(`hf-tiny fixtures not found (looked in ${candidates.join(', ')}); set MAPPA_SHARED_DIR to the folder holding fixtures/hf-tiny`);
}

export const FP32_MODELS = ['llama-tiny', 'qwen2-tiny', 'qwen3-tiny'] as const;
export const HALF_MODELS = { 'llama-tiny-bfloat16': 'llama-tiny', 'qwen2-tiny-float16': 'qwen2-tiny', 'qwen3-tiny-bfloat16': 'qwen3-tiny' } as const;

export function readJsonFile<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export async function readAllTensors(file: string): Promise<Map<string, LoadedTensor>> {
  const r = await SafetensorsReader.open(file);
  try {
    const out = new Map<string, LoadedTensor>();
    for (const name of r.entries.keys()) out.set(name, await r.read(name));
    return out;
  } finally {
    await r.close();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
