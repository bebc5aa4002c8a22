import type { RunCodeResponse, Sandbox, SandboxLanguage } from '../../core/contracts/Sandbox.js';
import type { SandboxFusionRequest, SandboxFusionResponse } from '../../plugins/sandboxes/sandboxfusion/sandboxFusionWire.js';
import { startFakeServer, type FakeReply, type FakeRequest, type FakeServer } from './fakeOpenAIServer.js';

const LANGUAGES: Record<string, SandboxLanguage> = { python: 'python', nodejs: 'node', bash: 'bash' };

/** Our response in SandboxFusion's wire format, with its status semantics (Failed = non-zero exit or time limit). */
export function toWire(r: RunCodeResponse): SandboxFusionResponse {
  if (r.status === 'SandboxError' || !r.runResult) return { status: 'SandboxError', message: r.message, run_result: null, files: {} };
  const rr = r.runResult;
  return {
    status: rr.status === 'Finished' ? 'Success' : 'Failed',
    message: '',
    compile_result: null,
    run_result: {
      status: rr.status === 'TimeLimitExceeded' ? 'TimeLimitExceeded' : 'Finished',
      execution_time: rr.executionTime,
      return_code: rr.status === 'TimeLimitExceeded' ? null : rr.returnCode,
      stdout: rr.stdout,
      stderr: rr.stderr,
    },
    executor_pod_name: null,
    files: { ...r.files },
  };
}

/**
 * A loopback server implementing SandboxFusion's `POST /run_code` by running the code in a local sandbox.
 * `intercept` can answer a request itself (e.g. with a 504) before the backend sees it.
 */
export async function startFakeSandboxFusion(
  backend: Sandbox,
  intercept?: (req: FakeRequest, index: number) => FakeReply | undefined,
): Promise<FakeServer> {
  return startFakeServer(async (req, index) => {
    const early = intercept?.(req, index);
    if (early) return early;
    if (req.method !== 'POST' || req.path !== '/run_code') return { status: 404, body: { detail: 'Not Found' } };
    const body = req.body as SandboxFusionRequest;
    const language = LANGUAGES[body.language];
    if (!language) return { status: 422, body: { detail: [{ msg: `unsupported language ${body.language}` }] } };
    const r = await backend.run({
      code: body.code,
      language,
      runTimeout: body.run_timeout,
      ...(body.memory_limit_MB > 0 ? { memoryLimitMb: body.memory_limit_MB } : {}),
      ...(body.stdin !== undefined && body.stdin !== null ? { stdin: body.stdin } : {}),
      files: body.files,
      fetchFiles: body.fetch_files,
    });
    return { body: toWire(r) };
  });
}
