import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { TfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';

export const MAX_CONTEXT = 128;

/**
 * Two tiny char-tokenizer checkpoints with different weights (A: seed 1, B: seed 2), saved as `mappa model init`
 * would, and in-process policies loaded from the same directories (the reference generations).
 */
export async function tinyCheckpoints(): Promise<{ dir: string; a: string; b: string; refA: TfjsTransformerPolicy; refB: TfjsTransformerPolicy; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mappa-serve-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  for (const [seed, out] of [[1, a], [2, b]] as const) {
    const p = await createTfjsTransformerPolicy({ preset: 'tiny', tokenizer: 'char', seed, maxContextLength: MAX_CONTEXT });
    await p.save(out, { exact: true });
    p.dispose();
  }
  const refA = await createTfjsTransformerPolicy({ path: a });
  const refB = await createTfjsTransformerPolicy({ path: b });
  return {
    dir,
    a,
    b,
    refA,
    refB,
    remove: async () => {
      refA.dispose();
      refB.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
