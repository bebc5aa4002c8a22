/** Languages every sandbox plugin understands (SandboxFusion calls node `nodejs`; plugins map names themselves). */
export type SandboxLanguage = 'python' | 'node' | 'bash';

/** Shaped like SandboxFusion's `/run_code` request. */
export interface RunCodeRequest {
  readonly code: string;
  readonly language: SandboxLanguage;
  /** Wall-clock limit in seconds. */
  readonly runTimeout?: number;
  readonly memoryLimitMb?: number;
  readonly stdin?: string;
  /** Files to place in the working directory before running: relative path → base64 content. */
  readonly files?: Readonly<Record<string, string>>;
  /** Relative paths (or globs) to return after the run. */
  readonly fetchFiles?: readonly string[];
}

export type RunStatus = 'Finished' | 'Error' | 'TimeLimitExceeded';

/** Which limit stopped the code, when the sandbox knows. */
export type SandboxLimit = 'wallTime' | 'cpuTime' | 'workspaceQuota' | 'workspaceFiles';

export interface RunResult {
  readonly status: RunStatus;
  readonly returnCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Seconds. */
  readonly executionTime: number;
  readonly stdoutTruncated?: boolean;
  readonly stderrTruncated?: boolean;
  /** Set when a sandbox limit ended the run (wall clock, CPU time, workspace disk or file-count quota). */
  readonly limitExceeded?: SandboxLimit;
}

export interface RunCodeResponse {
  /** `Success` when the sandbox ran the code (whatever the code did); `SandboxError` when the sandbox itself failed. */
  readonly status: 'Success' | 'Failed' | 'SandboxError';
  readonly message: string;
  readonly runResult?: RunResult;
  /** Fetched files: relative path → base64 content. */
  readonly files: Readonly<Record<string, string>>;
}

/** A directory whose files persist across the runs of one episode. */
export interface SandboxWorkspace {
  /**
   * Host path of the workspace (never exposed to sandboxed code as a host path). Sandboxed code can plant symlinks
   * here: host code must read and write it without following them (`plugins/sandboxes/shared/workspaceFiles.ts`).
   */
  readonly hostDir: string;
  run(request: Omit<RunCodeRequest, 'files' | 'fetchFiles'>): Promise<RunCodeResponse>;
  close(): Promise<void>;
}

export interface Sandbox {
  readonly name: string;
  /** Stateless run: files in, fetched files out. */
  run(request: RunCodeRequest): Promise<RunCodeResponse>;
  /** Stateful workspace mode (files persist across calls without base64 round-trips). */
  openWorkspace?(options?: { readonly seedFiles?: Readonly<Record<string, Uint8Array>> }): Promise<SandboxWorkspace>;
  dispose?(): Promise<void> | void;
}
