import type { RunCodeRequest, RunCodeResponse, RunResult, SandboxLanguage } from '../../../core/contracts/Sandbox.js';

/** SandboxFusion `/run_code` request body (`sandbox/server/sandbox_api.py`). */
export interface SandboxFusionRequest {
  code: string;
  language: string;
  compile_timeout: number;
  run_timeout: number;
  memory_limit_MB: number;
  stdin?: string;
  files: Record<string, string>;
  fetch_files: string[];
}

export interface SandboxFusionCommandResult {
  status: 'Finished' | 'Error' | 'TimeLimitExceeded';
  execution_time?: number | null;
  return_code?: number | null;
  stdout?: string | null;
  stderr?: string | null;
}

/** `status`: Success = every command exited 0; Failed = non-zero exit or time limit; SandboxError = server side. */
export interface SandboxFusionResponse {
  status: 'Success' | 'Failed' | 'SandboxError';
  message?: string;
  compile_result?: SandboxFusionCommandResult | null;
  run_result?: SandboxFusionCommandResult | null;
  executor_pod_name?: string | null;
  files?: Record<string, string>;
}

export const DEFAULT_LANGUAGE_MAP: Readonly<Record<SandboxLanguage, string>> = { python: 'python', node: 'nodejs', bash: 'bash' };

export function toSandboxFusionRequest(
  r: RunCodeRequest,
  d: { runTimeout: number; compileTimeout: number; memoryLimitMb?: number | undefined; languages: Readonly<Record<SandboxLanguage, string>> },
): SandboxFusionRequest {
  return {
    code: r.code,
    language: d.languages[r.language],
    compile_timeout: d.compileTimeout,
    run_timeout: r.runTimeout ?? d.runTimeout,
    memory_limit_MB: r.memoryLimitMb ?? d.memoryLimitMb ?? -1,
    ...(r.stdin !== undefined ? { stdin: r.stdin } : {}),
    files: { ...(r.files ?? {}) },
    fetch_files: [...(r.fetchFiles ?? [])],
  };
}

function commandResult(c: SandboxFusionCommandResult): RunResult {
  const returnCode = c.return_code ?? null;
  const tle = c.status === 'TimeLimitExceeded';
  return {
    status: tle ? 'TimeLimitExceeded' : returnCode === 0 ? 'Finished' : 'Error',
    returnCode,
    stdout: c.stdout ?? '',
    stderr: c.stderr ?? '',
    executionTime: c.execution_time ?? 0,
    ...(tle ? { limitExceeded: 'wallTime' as const } : {}),
  };
}

/**
 * SandboxFusion's `Failed` (the code exited non-zero or timed out) is a sandbox that worked, so it maps to our
 * `Success` with the run result saying what the code did; only `SandboxError` and a command that could not run
 * (`run_result.status == Error`) are sandbox failures. A failed compile step becomes the run result.
 */
export function fromSandboxFusionResponse(r: SandboxFusionResponse): RunCodeResponse {
  const files = r.files ?? {};
  if (r.status === 'SandboxError') return { status: 'SandboxError', message: r.message || r.run_result?.stderr || 'SandboxFusion reported a sandbox error', files };
  const compileFailed = r.compile_result && (r.compile_result.status !== 'Finished' || r.compile_result.return_code !== 0);
  const command = compileFailed ? r.compile_result : r.run_result;
  if (!command) return { status: 'SandboxError', message: `SandboxFusion returned status ${r.status} without a run result`, files };
  if (command.status === 'Error') return { status: 'SandboxError', message: command.stderr || r.message || 'SandboxFusion could not run the command', files };
  return { status: 'Success', message: r.message ?? '', runResult: commandResult(command), files };
}
