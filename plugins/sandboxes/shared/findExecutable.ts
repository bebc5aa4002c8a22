import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** An executable by explicit path, or by name on PATH and in /usr/bin and /bin; undefined when there is none. */
export function findExecutable(name: string, explicit?: string): string | undefined {
  const candidates = explicit ? [explicit] : [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/bin'].map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}
