import type { RunCodeResponse } from '../../../core/contracts/Sandbox.js';
import type { ToolValue } from '../../../core/contracts/Tool.js';

/** A sandbox response as a tool result: stdout (and stderr) when the code succeeded, the status and both streams otherwise. */
export function formatCodeRun(response: RunCodeResponse): ToolValue {
  const r = response.runResult;
  if (response.status === 'SandboxError' || !r) return { text: `[Sandbox error] ${response.message}`, isError: true };
  const stdout = r.stdout.trimEnd();
  const stderr = r.stderr.trimEnd();
  if (r.status === 'Finished' && r.returnCode === 0) return stderr ? `${stdout}\n[stderr]: ${stderr}` : stdout;
  const status = r.status === 'TimeLimitExceeded' ? 'timed out' : `failed (exit code ${r.returnCode ?? 'none'})`;
  return { text: `[Execution ${status}]\n[stdout]: ${stdout}\n[stderr]: ${stderr}`, isError: true };
}
