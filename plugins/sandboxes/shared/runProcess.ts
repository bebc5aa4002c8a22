import { spawn, type StdioOptions } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { OutputCapture } from './OutputCapture.js';

export interface RunProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** The whole environment of the child (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Host uid/gid the child runs as (set before exec; supplementary groups are dropped). */
  readonly uid?: number;
  readonly gid?: number;
  readonly stdin?: string;
  /** Data for extra pipes: entry i is written to the child's fd 3+i and closed (bwrap `--ro-bind-data` etc.). */
  readonly dataFds?: ReadonlyArray<string | Uint8Array>;
  /** Adds one more pipe after `dataFds` that the child writes to (bwrap `--json-status-fd`); its text is returned. */
  readonly statusFd?: boolean;
  readonly timeoutMs: number;
  /** Bytes kept per stream (head and tail); the rest is counted and dropped. */
  readonly maxOutputBytes: number;
  readonly signal?: AbortSignal;
  /** Polled while the child runs; a returned reason kills the process tree. */
  readonly watchdog?: { readonly intervalMs: number; check(): Promise<string | undefined> };
  /** After the child exits, how long to wait for its pipes to close (a surviving grandchild may hold them). */
  readonly drainMs?: number;
}

export interface ProcessOutcome {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: OutputCapture;
  readonly stderr: OutputCapture;
  readonly status: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly watchdogReason?: string;
  readonly durationMs: number;
  readonly spawnError?: Error;
}

const O_CLOEXEC = 0o2000000;
let leakedFds: number[] | undefined;
let devNull: number | undefined;

/**
 * Descriptors this process inherited without close-on-exec (e.g. a pipe from whatever started Node). Every child
 * would inherit them too, giving sandboxed code a channel to the outside, so children get /dev/null in their place.
 */
function inheritedFds(): number[] {
  if (leakedFds) return leakedFds;
  leakedFds = [];
  try {
    for (const name of readdirSync('/proc/self/fd')) {
      const fd = Number(name);
      if (!(fd > 2)) continue;
      try {
        const flags = /flags:\s*([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
        if (flags && (Number.parseInt(flags[1]!, 8) & O_CLOEXEC) === 0) leakedFds.push(fd);
      } catch {
        // Closed meanwhile (the directory listing's own descriptor).
      }
    }
  } catch {
    // No /proc: nothing to do.
  }
  return leakedFds;
}

/** The stdio array with /dev/null over every inherited descriptor that is not one of ours. */
function sealStdio(stdio: StdioOptions & unknown[]): StdioOptions {
  const leaks = inheritedFds().filter((fd) => fd >= stdio.length);
  if (leaks.length === 0) return stdio;
  devNull ??= openSync('/dev/null', 'r');
  const sealed: unknown[] = [...stdio];
  for (const fd of leaks) {
    while (sealed.length < fd) sealed.push('ignore');
    sealed[fd] = devNull;
  }
  return sealed as StdioOptions;
}

/**
 * Spawns a child in its own process group and kills the whole group with SIGKILL on the wall-clock timeout, abort
 * or watchdog. The timer is ours rather than execa's `timeout` because a grandchild holding the stdout pipe would
 * keep `await` pending long after the child died (stack-notes §3); pipes still open after `drainMs` are destroyed.
 */
export function runProcess(o: RunProcessOptions): Promise<ProcessOutcome> {
  const dataFds = o.dataFds ?? [];
  const stdio: StdioOptions & unknown[] = [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...dataFds.map(() => 'pipe' as const)];
  if (o.statusFd) stdio.push('pipe');
  const stdout = new OutputCapture(o.maxOutputBytes);
  const stderr = new OutputCapture(o.maxOutputBytes);
  const started = performance.now();
  return new Promise<ProcessOutcome>((resolve) => {
    let timedOut = false;
    let aborted = false;
    let watchdogReason: string | undefined;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let exitedAt: number | undefined;
    let status = '';
    let done = false;
    let drainTimer: NodeJS.Timeout | undefined;
    let watchdogTimer: NodeJS.Timeout | undefined;

    const child = spawn(o.command, [...o.args], {
      env: { ...o.env },
      cwd: o.cwd,
      stdio: sealStdio(stdio),
      detached: true,
      ...(o.uid !== undefined ? { uid: o.uid } : {}),
      ...(o.gid !== undefined ? { gid: o.gid } : {}),
    });

    const killTree = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const finish = (spawnError?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      clearInterval(watchdogTimer);
      o.signal?.removeEventListener('abort', onAbort);
      for (const s of child.stdio) (s as Readable | Writable | null)?.destroy();
      resolve({
        exitCode,
        signal: exitSignal,
        stdout,
        stderr,
        status,
        timedOut,
        aborted,
        ...(watchdogReason !== undefined ? { watchdogReason } : {}),
        durationMs: (exitedAt ?? performance.now()) - started,
        ...(spawnError ? { spawnError } : {}),
      });
    };
    const onAbort = () => {
      aborted = true;
      killTree();
    };

    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, o.timeoutMs);
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.watchdog) {
      const wd = o.watchdog;
      let busy = false;
      watchdogTimer = setInterval(() => {
        if (busy || exitedAt !== undefined) return;
        busy = true;
        wd.check()
          .then((reason) => {
            if (reason !== undefined && exitedAt === undefined && watchdogReason === undefined) {
              watchdogReason = reason;
              killTree();
            }
          })
          .catch(() => undefined)
          .finally(() => (busy = false));
      }, wd.intervalMs);
    }

    child.on('error', (err) => finish(err));
    child.stdout!.on('data', (c: Buffer) => stdout.push(c));
    child.stderr!.on('data', (c: Buffer) => stderr.push(c));
    for (const s of child.stdio) (s as Readable | Writable | null)?.on('error', () => undefined);
    if (o.stdin !== undefined) child.stdin!.end(o.stdin);
    dataFds.forEach((data, i) => (child.stdio[3 + i] as Writable).end(data));
    if (o.statusFd) (child.stdio[3 + dataFds.length] as Readable).on('data', (c: Buffer) => (status += c.toString('utf8')));
    child.on('exit', (code, sig) => {
      exitCode = code;
      exitSignal = sig;
      exitedAt = performance.now();
      clearTimeout(timer);
      // A run ends with its main process: background children left in its group are killed, not orphaned.
      killTree();
      drainTimer = setTimeout(() => {
        // Something outside the child's process group (a `setsid` grandchild) still holds the pipes.
        finish();
      }, o.drainMs ?? 1000);
    });
    child.on('close', () => finish());
  });
}
