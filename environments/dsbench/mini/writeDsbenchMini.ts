/**
 * Writes the dsbench-mini files. Usage: `npx tsx environments/dsbench/mini/writeDsbenchMini.ts [OUT_DIR]`
 * (default: examples/dsbench/dsbench-mini in this package). A test checks that the committed files match.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../../../core/util/packageRoot.js';
import { DSBENCH_MINI_SEED, generateDsbenchMini } from './generateDsbenchMini.js';

export const DSBENCH_MINI_DIR = join('examples', 'dsbench', 'dsbench-mini');

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? join(packageRoot(), DSBENCH_MINI_DIR));
  const files = generateDsbenchMini(DSBENCH_MINI_SEED);
  await rm(join(out, 'data'), { recursive: true, force: true });
  for (const [path, content] of files) {
    await mkdir(dirname(join(out, path)), { recursive: true });
    await writeFile(join(out, path), content);
  }
  process.stdout.write(`wrote ${files.size} files to ${out}\n`);
}

await main();
