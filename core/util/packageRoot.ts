import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** Root folder of the @mappa/sdk package, whether running from sources or from `dist/`. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === '@mappa/sdk') return (cached = dir);
      } catch {
        /* keep looking */
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Could not locate the @mappa/sdk package root');
    dir = parent;
  }
}
