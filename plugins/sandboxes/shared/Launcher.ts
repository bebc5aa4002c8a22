import type { SandboxLanguage } from '../../../core/contracts/Sandbox.js';
import type { ProcessOutcome, RunProcessOptions } from './runProcess.js';
import type { FileOwner } from './workspaceFiles.js';

/** Limits of one run after request overrides and defaults. */
export interface EffectiveLimits {
  /** Seconds. */
  readonly runTimeout: number;
  readonly memoryLimitMb: number;
  /** Seconds. */
  readonly cpuTimeLimit: number;
  readonly maxProcesses: number;
  readonly maxOpenFiles: number;
  readonly maxFileSizeMb: number;
}

export interface LaunchRequest {
  readonly language: SandboxLanguage;
  readonly code: string;
  /** Host directory the code works in. */
  readonly workspaceDir: string;
  readonly limits: EffectiveLimits;
  /** Environment variables allowed by the config (extra `env` and `passEnv`), before the launcher's own. */
  readonly env: Readonly<Record<string, string>>;
  /** Unique id of the run, set as MAPPA_SANDBOX_RUN in the code's environment (lets tests find stray processes). */
  readonly runId: string;
}

export type Launch = Pick<RunProcessOptions, 'command' | 'args' | 'env' | 'cwd' | 'uid' | 'gid' | 'dataFds' | 'statusFd'> & {
  /** Called after the run (e.g. to remove a temporary code file). */
  readonly cleanup?: () => Promise<void>;
};

/** How a host sandbox turns a run into a command line: the isolation mechanism, nothing else. */
export interface Launcher {
  /** Owner of the files the host puts in a workspace, when the code runs as another user. */
  readonly owner?: FileOwner | undefined;
  launch(request: LaunchRequest): Promise<Launch>;
  /** A message when the outcome shows that the sandbox itself failed to start (as opposed to the code failing). */
  setupError?(outcome: ProcessOutcome): string | undefined;
}

/** prlimit arguments for the limits (CPU soft limit sends SIGXCPU, the hard one a second later SIGKILL). */
export function prlimitArgs(l: EffectiveLimits): string[] {
  const mb = (n: number) => Math.floor(n * 1024 * 1024);
  const cpu = Math.max(1, Math.ceil(l.cpuTimeLimit));
  return [
    `--as=${mb(l.memoryLimitMb)}`,
    `--cpu=${cpu}:${cpu + 1}`,
    `--nproc=${l.maxProcesses}`,
    `--nofile=${l.maxOpenFiles}`,
    `--fsize=${mb(l.maxFileSizeMb)}`,
    '--core=0',
  ];
}

export const DEFAULT_INTERPRETERS: Readonly<Record<SandboxLanguage, string>> = {
  python: '/usr/bin/python3',
  node: '/usr/bin/node',
  bash: '/usr/bin/bash',
};

export const CODE_FILE: Readonly<Record<SandboxLanguage, string>> = { python: 'main.py', node: 'main.js', bash: 'main.sh' };

/**
 * The code's environment: nothing from the host but what the config allows, single-threaded BLAS (OpenBLAS
 * reserves address space per thread, and threads count against the process limit) and unbuffered Python output
 * (so a run killed on timeout still shows what it printed).
 */
export function baseEnv(o: { home: string; workspace: string; tmp: string; runId: string }): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: o.home,
    TMPDIR: o.tmp,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    USER: 'sandbox',
    LOGNAME: 'sandbox',
    PYTHONPATH: o.workspace,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    OPENBLAS_NUM_THREADS: '1',
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
    NUMEXPR_NUM_THREADS: '1',
    MPLBACKEND: 'Agg',
    MPLCONFIGDIR: `${o.tmp}/matplotlib`,
    MAPPA_SANDBOX_RUN: o.runId,
  };
}
