import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { lchown, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { RunCodeRequest, RunCodeResponse, RunResult, Sandbox, SandboxLimit, SandboxWorkspace } from '../../../core/contracts/Sandbox.js';
import { MappaError } from '../../../core/util/MappaError.js';
import type { HostSandboxSettings } from './hostSandboxConfig.js';
import type { EffectiveLimits, Launcher } from './Launcher.js';
import { runProcess, type ProcessOutcome } from './runProcess.js';
import { chownTree, collectFiles, safeWriteFile, workspaceBytes } from './workspaceFiles.js';

const LANGUAGES = new Set(['python', 'node', 'bash']);
const SIGXCPU_EXIT = 128 + 24;
const SIGKILL_EXIT = 128 + 9;

/** Directories still on disk, removed synchronously if the process exits before their owner cleans up. */
const liveDirs = new Set<string>();
let exitHookInstalled = false;
function trackDir(dir: string): void {
  liveDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}
async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  liveDirs.delete(dir);
}

/**
 * A sandbox that runs code on this host in a per-run (or per-episode) directory. The isolation itself comes from the
 * `Launcher` (bubblewrap, or none); this class owns directories, limits, the wall clock, output caps and file transfer.
 */
export class HostSandbox implements Sandbox {
  readonly #limit: LimitFunction;
  readonly #workspaces = new Set<SandboxWorkspace>();
  readonly #idPrefix = randomBytes(4).toString('hex');
  #runs = 0;

  constructor(
    readonly name: string,
    readonly settings: HostSandboxSettings,
    readonly launcher: Launcher,
    readonly logger?: Logger,
  ) {
    this.#limit = pLimit(settings.maxConcurrent > 0 ? settings.maxConcurrent : 2 * availableParallelism());
  }

  /** Prefix of the MAPPA_SANDBOX_RUN value of every run of this instance. */
  get instanceId(): string {
    return `${this.name}-${this.#idPrefix}`;
  }

  async run(request: RunCodeRequest): Promise<RunCodeResponse> {
    const invalid = checkRequest(request);
    if (invalid) return sandboxError(invalid);
    return this.#limit(async () => {
      const dir = await this.#makeDir('run');
      try {
        try {
          for (const [path, b64] of Object.entries(request.files ?? {})) {
            await safeWriteFile(dir, path, Buffer.from(b64, 'base64'), this.launcher.owner);
          }
        } catch (err) {
          return sandboxError(`input files: ${(err as Error).message}`);
        }
        const response = await this.#execute(dir, request);
        if (response.status !== 'Success' || !request.fetchFiles?.length) return response;
        const { files, skipped } = await collectFiles(dir, request.fetchFiles, this.settings.maxFetchBytes);
        return { ...response, files, ...(skipped.length ? { message: `not fetched: ${skipped.join('; ')}` } : {}) };
      } finally {
        await removeDir(dir);
      }
    });
  }

  async openWorkspace(options: { readonly seedFiles?: Readonly<Record<string, Uint8Array>> } = {}): Promise<SandboxWorkspace> {
    const dir = await this.#makeDir('ws');
    try {
      for (const [path, data] of Object.entries(options.seedFiles ?? {})) await safeWriteFile(dir, path, data, this.launcher.owner);
    } catch (err) {
      await removeDir(dir);
      throw err;
    }
    let closed = false;
    const workspace: SandboxWorkspace = {
      hostDir: dir,
      run: async (request) => {
        if (closed) throw new MappaError(`${this.name} workspace ${dir} is closed`);
        const invalid = checkRequest(request);
        if (invalid) return sandboxError(invalid);
        return this.#limit(async () => {
          // Host code may have dropped files in since the last run; give them to the sandbox user.
          if (this.launcher.owner) await chownTree(dir, this.launcher.owner);
          return this.#execute(dir, request);
        });
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.#workspaces.delete(workspace);
        await removeDir(dir);
      },
    };
    this.#workspaces.add(workspace);
    return workspace;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#workspaces].map((w) => w.close()));
  }

  async #makeDir(kind: string): Promise<string> {
    const root = this.settings.workRoot ?? tmpdir();
    let dir: string;
    try {
      dir = await mkdtemp(join(root, `mappa-sbx-${kind}-`));
    } catch (err) {
      throw new MappaError(`${this.name}: cannot create a directory under ${root}: ${(err as Error).message}`, {
        hint: `set the sandbox's workRoot to a writable directory`,
      });
    }
    trackDir(dir);
    // mkdtemp makes it 0700: only the sandbox user (and root) can enter it.
    if (this.launcher.owner) await lchown(dir, this.launcher.owner.uid, this.launcher.owner.gid);
    return dir;
  }

  #limits(request: Omit<RunCodeRequest, 'files' | 'fetchFiles'>): EffectiveLimits {
    const s = this.settings;
    const runTimeout = request.runTimeout !== undefined && request.runTimeout > 0 ? request.runTimeout : s.runTimeout;
    return {
      runTimeout,
      memoryLimitMb: request.memoryLimitMb !== undefined && request.memoryLimitMb > 0 ? request.memoryLimitMb : s.memoryLimitMb,
      cpuTimeLimit: s.cpuTimeLimit ?? runTimeout + 1,
      maxProcesses: s.maxProcesses,
      maxOpenFiles: s.maxOpenFiles,
      maxFileSizeMb: s.maxFileSizeMb,
    };
  }

  #allowedEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const name of this.settings.passEnv) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    return { ...env, ...this.settings.env };
  }

  async #execute(dir: string, request: Omit<RunCodeRequest, 'files' | 'fetchFiles'>): Promise<RunCodeResponse> {
    const limits = this.#limits(request);
    const runId = `${this.instanceId}-${++this.#runs}`;
    const launch = await this.launcher.launch({ language: request.language, code: request.code, workspaceDir: dir, limits, env: this.#allowedEnv(), runId });
    const quotaBytes = this.settings.maxWorkspaceMb * 1024 * 1024;
    const overQuota = async () => {
      const bytes = await workspaceBytes(dir, quotaBytes);
      return bytes > quotaBytes ? `the workspace grew past its ${this.settings.maxWorkspaceMb} MB quota` : undefined;
    };
    let outcome: ProcessOutcome;
    try {
      outcome = await runProcess({
        ...launch,
        ...(request.stdin !== undefined ? { stdin: request.stdin } : {}),
        timeoutMs: limits.runTimeout * 1000,
        maxOutputBytes: this.settings.maxOutputBytes,
        watchdog: { intervalMs: 250, check: overQuota },
      });
    } finally {
      await launch.cleanup?.();
    }
    if (outcome.spawnError) return sandboxError(`${this.name}: cannot start ${launch.command}: ${outcome.spawnError.message}`);
    const setupError = this.launcher.setupError?.(outcome);
    if (setupError) return sandboxError(setupError);
    if (outcome.aborted) return sandboxError(`${this.name}: run aborted`);
    const quotaReason = outcome.watchdogReason ?? (await overQuota());
    return { status: 'Success', message: '', runResult: toRunResult(outcome, limits, quotaReason), files: {} };
  }
}

function toRunResult(o: ProcessOutcome, limits: EffectiveLimits, quotaReason: string | undefined): RunResult {
  const returnCode = o.exitCode ?? (o.signal ? 128 + signalNumber(o.signal) : null);
  let limitExceeded: SandboxLimit | undefined;
  if (o.timedOut) limitExceeded = 'wallTime';
  else if (returnCode === SIGXCPU_EXIT || (returnCode === SIGKILL_EXIT && o.durationMs >= limits.cpuTimeLimit * 1000)) limitExceeded = 'cpuTime';
  else if (quotaReason) limitExceeded = 'workspaceQuota';
  const status = limitExceeded === 'wallTime' || limitExceeded === 'cpuTime' ? 'TimeLimitExceeded' : returnCode === 0 && !quotaReason ? 'Finished' : 'Error';
  let stderr = o.stderr.text();
  if (limitExceeded === 'workspaceQuota') stderr += `${stderr && !stderr.endsWith('\n') ? '\n' : ''}[sandbox] stopped: ${quotaReason}\n`;
  return {
    status,
    returnCode,
    stdout: o.stdout.text(),
    stderr,
    executionTime: Math.round(o.durationMs) / 1000,
    ...(o.stdout.truncated ? { stdoutTruncated: true } : {}),
    ...(o.stderr.truncated ? { stderrTruncated: true } : {}),
    ...(limitExceeded ? { limitExceeded } : {}),
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

function checkRequest(request: Omit<RunCodeRequest, 'files' | 'fetchFiles'>): string | undefined {
  if (typeof request.code !== 'string') return 'request.code must be a string';
  if (!LANGUAGES.has(request.language)) return `unsupported language "${String(request.language)}" (python, node, bash)`;
  return undefined;
}

export function sandboxError(message: string): RunCodeResponse {
  return { status: 'SandboxError', message, files: {} };
}
