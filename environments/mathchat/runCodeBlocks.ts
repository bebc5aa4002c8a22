import type { Sandbox } from '../../core/contracts/Sandbox.js';
import type { ToolCall } from '../../core/model/ToolCall.js';
import type { CodeBlock } from '../code-sandbox/extractCodeBlocks.js';

/** One code block run in a fresh stateless sandbox. */
export interface CodeBlockRun {
  readonly code: string;
  readonly language: string;
  readonly status: ToolCall['status'];
  /** The code ran to completion with exit code 0. */
  readonly ok: boolean;
  /** `Finished`, `Error`, `TimeLimitExceeded` or `SandboxError` (as SandboxFusion names them). */
  readonly runStatus: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode?: number;
  readonly durationMs: number;
}

export interface RunLimits {
  /** Seconds. */
  readonly runTimeout: number;
  readonly memoryLimitMb?: number | undefined;
}

/**
 * Runs each block in its own stateless sandbox call, in order (as the paper's tool loop does: no state is shared
 * between blocks). A sandbox that reports `SandboxError` gives a `sandbox-error` call; a sandbox that throws
 * fails the action (the runner records the episode as failed with kind `tool`).
 */
export async function runCodeBlocks(sandbox: Sandbox, blocks: readonly CodeBlock[], limits: RunLimits): Promise<CodeBlockRun[]> {
  const runs: CodeBlockRun[] = [];
  for (const block of blocks) {
    const t0 = performance.now();
    const res = await sandbox.run({
      code: block.code,
      language: block.language as 'python' | 'node' | 'bash',
      runTimeout: limits.runTimeout,
      ...(limits.memoryLimitMb !== undefined ? { memoryLimitMb: limits.memoryLimitMb } : {}),
    });
    const durationMs = performance.now() - t0;
    const r = res.runResult;
    if (res.status === 'SandboxError' || !r) {
      runs.push({ code: block.code, language: block.language, status: 'sandbox-error', ok: false, runStatus: 'SandboxError', stdout: '', stderr: res.message, durationMs });
      continue;
    }
    const ok = r.status === 'Finished' && (r.returnCode ?? 0) === 0;
    runs.push({
      code: block.code,
      language: block.language,
      status: ok ? 'ok' : r.status === 'TimeLimitExceeded' ? 'timeout' : 'error',
      ok,
      runStatus: r.status === 'Finished' && !ok ? 'Error' : r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      ...(r.returnCode !== null ? { exitCode: r.returnCode } : {}),
      durationMs,
    });
  }
  return runs;
}
