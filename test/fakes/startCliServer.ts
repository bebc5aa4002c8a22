import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'test', 'fakes', 'mappaCli.ts');

export interface CliServer {
  /** The first capture group of `ready` (the server's base URL). */
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM to the child by its PID and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `mappa <args>` (from source, through tsx) in a child process and waits until its stdout matches `ready`
 * (and `alsoWaitFor`, if given). The child is SIGKILLed after `killAfterMs` whatever happens, so a hung server never
 * outlives the test.
 */
export async function startCliServer(
  args: readonly string[],
  o: { ready: RegExp; alsoWaitFor?: string; env?: NodeJS.ProcessEnv; killAfterMs?: number },
): Promise<CliServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? 60_000);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const stop = async () => {
    child.kill('SIGTERM');
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  try {
    const url = await new Promise<string>((found, fail) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = o.ready.exec(stdout);
        if (m?.[1] && (!o.alsoWaitFor || stdout.includes(o.alsoWaitFor))) found(m[1]);
      });
      child.on('exit', () => fail(new Error(`mappa ${args[0] ?? ''} exited early: ${stderr}`)));
    });
    return { url, stdout: () => stdout, stderr: () => stderr, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
