/** What went wrong when a code block ran: the Python exception (or time limit / sandbox failure). */
export interface ExecutionError {
  /** Exception class (`FileNotFoundError`, `KeyError`, …), `TimeLimitExceeded` or `SandboxError`. */
  readonly kind: string;
  readonly message: string;
  /** For file errors: the base name of the file that could not be opened. */
  readonly file?: string;
}

const EXCEPTION_LINE = /^([A-Za-z_][\w.]*?)(?::\s?(.*))?$/;
const FILE_ERRORS = new Set(['FileNotFoundError', 'IsADirectoryError', 'PermissionError', 'NotADirectoryError']);

function baseName(path: string): string {
  return path.replace(/\\/g, '/').split('/').filter(Boolean).pop() ?? path;
}

/**
 * The exception at the end of a Python traceback in `stderr`, or `undefined` when there is none. Module-qualified
 * names (`pandas.errors.EmptyDataError`) are reduced to the class name; file errors also give the file's base name.
 */
export function parsePythonError(stderr: string): ExecutionError | undefined {
  if (!stderr.includes('Traceback') && !/^\s*File "/m.test(stderr)) return undefined;
  const lines = stderr.trimEnd().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trimEnd();
    if (line === '' || line.startsWith(' ') || line.startsWith('\t') || line.startsWith('^')) continue;
    const m = EXCEPTION_LINE.exec(line);
    if (!m) continue;
    const kind = m[1]!.split('.').pop()!;
    if (!/(Error|Exception|Exit|Interrupt|Iteration)$/.test(kind) && kind !== 'KeyboardInterrupt') continue;
    const message = (m[2] ?? '').trim();
    const fileMatch = /No such file or directory: ['"]([^'"]+)['"]/.exec(message) ?? /(?:Permission denied|Is a directory): ['"]([^'"]+)['"]/.exec(message);
    return { kind, message, ...(FILE_ERRORS.has(kind) && fileMatch ? { file: baseName(fileMatch[1]!) } : {}) };
  }
  return undefined;
}
