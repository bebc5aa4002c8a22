import { execaSync } from 'execa';

/**
 * A Python 3 that imports torch and numpy: `MAPPA_PYTHON`, else `python3` on PATH, else Debian's `/usr/bin/python3`
 * (a pyenv `python3` first on PATH often lacks Debian's python3-torch). Undefined when none does; tests that need
 * it then skip with the message below.
 */
export function torchPython(): string | undefined {
  const candidates = [process.env['MAPPA_PYTHON'], 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  for (const py of candidates) {
    try {
      execaSync(py, ['-c', 'import torch, numpy'], { timeout: 60_000 });
      return py;
    } catch {
      /* next candidate */
    }
  }
  return undefined;
}

export const NO_TORCH_MESSAGE =
  'skipped: no Python with torch (`python3 -c "import torch, numpy"` fails for MAPPA_PYTHON, python3 and /usr/bin/python3); install python3-torch and python3-numpy';
