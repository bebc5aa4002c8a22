import type { RunCodeResponse, Sandbox } from '../../core/contracts/Sandbox.js';

/** A sandbox returning canned responses in order, to check tool-response formatting without running anything. */
export class CannedSandbox implements Sandbox {
  readonly name = 'canned';
  constructor(private readonly responses: RunCodeResponse[]) {}
  async run(): Promise<RunCodeResponse> {
    return this.responses.shift() ?? { status: 'SandboxError', message: 'no more responses', files: {} };
  }
}

/** A run that finished (exit 0 by default) with these streams. */
export const finished = (stdout: string, stderr = '', returnCode: number | null = 0, status: 'Finished' | 'Error' | 'TimeLimitExceeded' = 'Finished'): RunCodeResponse => ({
  status: 'Success',
  message: '',
  runResult: { status, returnCode, stdout, stderr, executionTime: 0.01 },
  files: {},
});
