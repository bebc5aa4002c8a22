import type { RunCodeRequest, RunCodeResponse, SandboxLanguage, SandboxLimit } from '../../core/contracts/Sandbox.js';
import type { ToolCall } from '../../core/model/ToolCall.js';
import type { CodeBlock } from './extractCodeBlocks.js';

/** One code block as the sandbox ran it, before any formatting (streams are the sandbox's, untrimmed). */
export interface CodeBlockRun {
  /** Position among the action's runnable blocks. */
  readonly index: number;
  readonly code: string;
  readonly language: string;
  readonly status: ToolCall['status'];
  /** The code ran to completion with exit code 0. */
  readonly ok: boolean;
  /** SandboxFusion's names: `Finished`, `Error` (also a non-zero exit), `TimeLimitExceeded` or `SandboxError`. */
  readonly runStatus: 'Finished' | 'Error' | 'TimeLimitExceeded' | 'SandboxError';
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The sandbox's message: why it failed on a sandbox error, otherwise usually empty. */
  readonly message: string;
  /** The sandbox limit that stopped the code, when the sandbox knows. */
  readonly limit?: SandboxLimit;
  /** The sandbox itself cut stdout or stderr. */
  readonly sandboxTruncated: boolean;
  readonly durationMs: number;
}

/** Limits sent with every block (undefined: the sandbox's defaults). */
export interface CodeRunLimits {
  /** Seconds. */
  readonly runTimeout?: number | undefined;
  readonly memoryLimitMb?: number | undefined;
}

export type CodeExecutor = (request: Omit<RunCodeRequest, 'files' | 'fetchFiles'>) => Promise<RunCodeResponse>;

/**
 * Runs one block through `exec` (a workspace's `run`, or a stateless `sandbox.run`) and classifies the result. A
 * sandbox that answers with anything but `Success` gives a `sandbox-error`; a sandbox that throws fails the action.
 */
export async function runCodeBlock(exec: CodeExecutor, block: CodeBlock, index: number, limits: CodeRunLimits): Promise<CodeBlockRun> {
  const started = performance.now();
  const response = await exec({
    code: block.code,
    language: block.language as SandboxLanguage,
    ...(limits.runTimeout !== undefined ? { runTimeout: limits.runTimeout } : {}),
    ...(limits.memoryLimitMb !== undefined ? { memoryLimitMb: limits.memoryLimitMb } : {}),
  });
  const durationMs = Math.round(performance.now() - started);
  const base = { index, code: block.code, language: block.language, message: response.message, durationMs };
  const rr = response.runResult;
  if (response.status !== 'Success' || !rr) {
    return { ...base, status: 'sandbox-error', ok: false, runStatus: 'SandboxError', stdout: '', stderr: '', sandboxTruncated: false };
  }
  const ok = rr.status === 'Finished' && (rr.returnCode ?? 0) === 0;
  const timeout = rr.status === 'TimeLimitExceeded';
  return {
    ...base,
    status: ok ? 'ok' : timeout ? 'timeout' : 'error',
    ok,
    runStatus: ok ? 'Finished' : timeout ? 'TimeLimitExceeded' : 'Error',
    ...(rr.returnCode !== null ? { exitCode: rr.returnCode } : {}),
    stdout: rr.stdout,
    stderr: rr.stderr,
    ...(rr.limitExceeded ? { limit: rr.limitExceeded } : {}),
    sandboxTruncated: Boolean(rr.stdoutTruncated || rr.stderrTruncated),
  };
}

/** The `ToolCall` record of a block run, with `output` as the agent saw it. */
export function codeToolCall(run: CodeBlockRun, tool: string, output: string): ToolCall {
  return {
    tool,
    input: run.code,
    language: run.language,
    status: run.status,
    output,
    ...(run.exitCode !== undefined ? { exitCode: run.exitCode } : {}),
    durationMs: run.durationMs,
  };
}
