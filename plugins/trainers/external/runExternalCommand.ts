import { createInterface } from 'node:readline';
import { execa, parseCommandString } from 'execa';
import type { Logger } from '../../../core/contracts/Logger.js';

export interface ExternalCommandResult {
  /** Exit code, or undefined when the process was killed (timeout, signal). */
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  readonly signal: string | undefined;
  /** The last lines the command wrote to stderr (and stdout when stderr is empty). */
  readonly tail: string[];
  /** The argv that ran, for error messages. */
  readonly argv: readonly string[];
}

/** Replaces `{name}` placeholders in each argument. Unknown placeholders are left as written. */
export function fillPlaceholders(command: string | readonly string[], values: Readonly<Record<string, string>>): string[] {
  const argv = typeof command === 'string' ? parseCommandString(command) : [...command];
  return argv.map((arg) => arg.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m));
}

/**
 * Runs a command without a shell, streaming its output line by line to the run log, with a timeout (SIGTERM, then
 * SIGKILL after 5 s) and the run's abort signal; never throws for a failing command (the caller decides).
 */
export async function runExternalCommand(
  argv: readonly string[],
  o: { readonly cwd: string; readonly timeoutMs: number; readonly logger?: Logger | undefined; readonly label: string; readonly signal?: AbortSignal | undefined; readonly tailLines?: number },
): Promise<ExternalCommandResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('runExternalCommand: empty command');
  const keep = o.tailLines ?? 30;
  const errTail: string[] = [];
  const outTail: string[] = [];
  const push = (tail: string[], line: string) => {
    tail.push(line);
    if (tail.length > keep) tail.shift();
  };
  const sub = execa(file, args, {
    cwd: o.cwd,
    reject: false,
    timeout: o.timeoutMs,
    forceKillAfterDelay: 5000,
    stdin: 'ignore',
    buffer: false,
    ...(o.signal ? { cancelSignal: o.signal } : {}),
  });
  const pump = (stream: NodeJS.ReadableStream | null, tail: string[], level: 'info' | 'warn') =>
    stream
      ? new Promise<void>((resolve) => {
          const rl = createInterface({ input: stream });
          rl.on('line', (line) => {
            push(tail, line);
            o.logger?.[level](`${o.label}: ${line}`);
          });
          rl.on('close', () => resolve());
        })
      : Promise.resolve();
  const [res] = await Promise.all([sub, pump(sub.stdout, outTail, 'info'), pump(sub.stderr, errTail, 'info')]);
  return {
    exitCode: res.exitCode,
    timedOut: res.timedOut === true,
    signal: res.signal ?? undefined,
    tail: errTail.length > 0 ? errTail : outTail,
    argv,
  };
}
