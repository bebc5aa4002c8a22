import { readdirSync, readFileSync } from 'node:fs';
import type { RunCodeResponse } from '../../core/contracts/Sandbox.js';

/** Pids of live processes started by a sandbox instance (found by MAPPA_SANDBOX_RUN in their environment or argv). */
export function sandboxProcesses(instanceId: string): number[] {
  const marker = `MAPPA_SANDBOX_RUN=${instanceId}-`;
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
      const state = /State:\s+(\w)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
      if (state === 'Z') continue;
      if (environ.includes(marker) || cmdline.includes(`MAPPA_SANDBOX_RUN ${instanceId}-`)) out.push(pid);
    } catch {
      // Exited meanwhile, or not readable.
    }
  }
  return out;
}

/** Polls until `check` returns true or the time is up; returns the last result. */
export async function waitFor(check: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The JSON object the sandboxed code printed on its last stdout line. */
export function lastJson(r: RunCodeResponse): any {
  const lines = (r.runResult?.stdout ?? '').trim().split('\n');
  try {
    return JSON.parse(lines.at(-1) ?? '');
  } catch {
    throw new Error(`no JSON on the last stdout line; response: ${JSON.stringify(r).slice(0, 2000)}`);
  }
}
