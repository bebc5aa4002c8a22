import { randomBytes } from 'node:crypto';
import { lchown, mkdtemp } from 'node:fs/promises';
import { availableParallelism, constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { RunCodeRequest, RunCodeResponse, RunResult, Sandbox, SandboxLimit, SandboxWorkspace } from '../../../core/contracts/Sandbox.js';
import { MappaError } from '../../../core/util/MappaError.js';
import type { HostSandboxSettings } from './hostSandboxConfig.js';
import type { EffectiveLimits, Launcher } from './Launcher.js';
import { runProcess, type ProcessOutcome } from './runProcess.js';
import { canMountQuotaFs, fsUsage, mountQuotaFs, removeWorkspaceDir, removeWorkspaceDirSync, sweepStaleWorkspaces } from './workspaceDirs.js';
import { chownTree, collectFiles, safeWriteFile, walkWorkspaceUsage } from './workspaceFiles.js';

const LANGUAGES = new Set(['python', 'node', 'bash']);
const SIGXCPU_EXIT = 128 + 24;
const SIGKILL_EXIT = 128 + 9;
/** Set once a mount failed in `auto` mode, so later workspaces do not retry it. */
let mountUnavailable = false;

/** Directories still on disk (true: a quota tmpfs is mounted there), removed if the process exits before cleanup. */
const liveDirs = new Map<string, boolean>();
let exitHookInstalled = false;
function trackDir(dir: string, mounted: boolean): void {
  liveDirs.set(dir, mounted);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [d, m] of liveDirs) removeWorkspaceDirSync(d, m);
  });
}

/** A workspace or run directory and how its quota is enforced. */
interface QuotaDir {
  readonly path: string;
  /** A size- and inode-capped tmpfs is mounted on it (the kernel enforces the quota). */
  readonly mounted: boolean;
}

/**
 * A sandbox that runs code on this host in a per-run (or per-episode) directory. The isolation itself comes from the
 * `Launcher` (bubblewrap, or none); this class owns directories, limits, the wall clock, output caps and file transfer.
 */
export class HostSandbox implements Sandbox {
  readonly #limit: LimitFunction;
  readonly #workspaces = new Set<SandboxWorkspace>();
  readonly #idPrefix = randomBytes(4).toString('hex');
  #swept: Promise<number> | undefined;
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
      const qd = await this.#makeDir('run');
      const dir = qd.path;
      try {
        try {
          for (const [path, b64] of Object.entries(request.files ?? {})) {
            await safeWriteFile(dir, path, Buffer.from(b64, 'base64'), this.launcher.owner);
          }
        } catch (err) {
          return sandboxError(`input files: ${(err as Error).message}`);
        }
        const response = await this.#execute(qd, request);
        if (response.status !== 'Success' || !request.fetchFiles?.length) return response;
        const { files, skipped } = await collectFiles(dir, request.fetchFiles, this.settings.maxFetchBytes);
        return { ...response, files, ...(skipped.length ? { message: `not fetched: ${skipped.join('; ')}` } : {}) };
      } finally {
        await this.#removeDir(qd);
      }
    });
  }

  async openWorkspace(options: { readonly seedFiles?: Readonly<Record<string, Uint8Array>> } = {}): Promise<SandboxWorkspace> {
    const qd = await this.#makeDir('ws');
    const dir = qd.path;
    try {
      for (const [path, data] of Object.entries(options.seedFiles ?? {})) await safeWriteFile(dir, path, data, this.launcher.owner);
    } catch (err) {
      await this.#removeDir(qd);
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
          return this.#execute(qd, request);
        });
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.#workspaces.delete(workspace);
        await this.#removeDir(qd);
      },
    };
    this.#workspaces.add(workspace);
    return workspace;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#workspaces].map((w) => w.close()));
  }

  async #makeDir(kind: string): Promise<QuotaDir> {
    const root = this.settings.workRoot ?? tmpdir();
    let dir: string;
    try {
      this.#swept ??= sweepStaleWorkspaces(root).catch(() => 0);
      await this.#swept;
      // The pid in the name lets a later start remove what a killed process left (see sweepStaleWorkspaces).
      dir = await mkdtemp(join(root, `mappa-sbx-${kind}-${process.pid}-`));
    } catch (err) {
      throw new MappaError(`${this.name}: cannot create a directory under ${root}: ${(err as Error).message}`, {
        hint: `set the sandbox's workRoot to a writable directory`,
      });
    }
    const mounted = await this.#mountQuota(dir);
    trackDir(dir, mounted);
    // mkdtemp makes it 0700 (the tmpfs too): only the sandbox user (and root) can enter it.
    if (this.launcher.owner) await lchown(dir, this.launcher.owner.uid, this.launcher.owner.gid);
    return { path: dir, mounted };
  }

  async #mountQuota(dir: string): Promise<boolean> {
    const mode = this.settings.workspaceFs;
    if (mode === 'directory' || (mode === 'auto' && (!canMountQuotaFs() || mountUnavailable))) return false;
    try {
      await mountQuotaFs(dir, { bytes: this.settings.maxWorkspaceMb * 1024 * 1024, inodes: this.settings.maxWorkspaceFiles, owner: this.launcher.owner });
      return true;
    } catch (err) {
      if (mode === 'tmpfs') {
        await removeWorkspaceDir(dir, false);
        throw new MappaError(`${this.name}: cannot mount the workspace tmpfs on ${dir}: ${(err as Error).message}`, {
          hint: 'workspaceFs: tmpfs needs root (CAP_SYS_ADMIN); use workspaceFs: auto or directory',
        });
      }
      mountUnavailable = true;
      this.logger?.warn(`${this.name}: cannot mount a quota tmpfs for workspaces; falling back to polling the workspace size`, { error: (err as Error).message });
      return false;
    }
  }

  async #removeDir(qd: QuotaDir): Promise<void> {
    const error = await removeWorkspaceDir(qd.path, qd.mounted);
    if (error === undefined) liveDirs.delete(qd.path);
    else this.logger?.warn(`${this.name}: could not remove ${qd.path}; retrying at exit`, { error });
  }

  /** Which workspace limit the code hit, if any: the tmpfs is full, or (without one) the walked size is over. */
  async #quotaHit(qd: QuotaDir): Promise<{ limit: SandboxLimit; reason: string } | undefined> {
    const s = this.settings;
    const disk = { limit: 'workspaceQuota' as const, reason: `the workspace grew past its ${s.maxWorkspaceMb} MB quota` };
    const files = { limit: 'workspaceFiles' as const, reason: `the workspace reached its quota of ${s.maxWorkspaceFiles} files and directories` };
    if (qd.mounted) {
      const u = await fsUsage(qd.path).catch(() => undefined);
      if (!u) return undefined;
      if (u.bytesFree === 0) return disk;
      if (u.inodesFree === 0) return files;
      return undefined;
    }
    const quotaBytes = s.maxWorkspaceMb * 1024 * 1024;
    const u = await walkWorkspaceUsage(qd.path, quotaBytes, s.maxWorkspaceFiles);
    if (u.tooDeep) return { limit: 'workspaceQuota', reason: 'the workspace holds paths longer than PATH_MAX, which its quota cannot measure' };
    if (u.bytes > quotaBytes) return disk;
    if (u.entries > s.maxWorkspaceFiles) return files;
    return undefined;
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

  async #execute(qd: QuotaDir, request: Omit<RunCodeRequest, 'files' | 'fetchFiles'>): Promise<RunCodeResponse> {
    const limits = this.#limits(request);
    const runId = `${this.instanceId}-${++this.#runs}`;
    const launch = await this.launcher.launch({ language: request.language, code: request.code, workspaceDir: qd.path, limits, env: this.#allowedEnv(), runId });
    let hit: { limit: SandboxLimit; reason: string } | undefined;
    const overQuota = async () => {
      hit ??= await this.#quotaHit(qd);
      return hit?.reason;
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
    await overQuota();
    return { status: 'Success', message: '', runResult: toRunResult(outcome, limits, hit), files: {} };
  }
}

function toRunResult(o: ProcessOutcome, limits: EffectiveLimits, quota: { limit: SandboxLimit; reason: string } | undefined): RunResult {
  const quotaReason = quota?.reason;
  const returnCode = o.exitCode ?? (o.signal ? 128 + signalNumber(o.signal) : null);
  let limitExceeded: SandboxLimit | undefined;
  if (o.timedOut) limitExceeded = 'wallTime';
  else if (returnCode === SIGXCPU_EXIT || (returnCode === SIGKILL_EXIT && o.durationMs >= limits.cpuTimeLimit * 1000)) limitExceeded = 'cpuTime';
  else if (quota) limitExceeded = quota.limit;
  const status = limitExceeded === 'wallTime' || limitExceeded === 'cpuTime' ? 'TimeLimitExceeded' : returnCode === 0 && !quotaReason ? 'Finished' : 'Error';
  let stderr = o.stderr.text();
  if (quota && limitExceeded === quota.limit) stderr += `${stderr && !stderr.endsWith('\n') ? '\n' : ''}[sandbox] stopped: ${quotaReason}\n`;
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
