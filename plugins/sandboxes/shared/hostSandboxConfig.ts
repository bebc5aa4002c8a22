import { z } from 'zod';

/** Limit and environment fields shared by the sandboxes that run code on this host (bubblewrap, local-unsafe). */
export const hostSandboxFields = {
  runTimeout: z.number().positive().default(10).describe("Wall-clock limit per run in seconds (a request's runTimeout overrides it)"),
  memoryLimitMb: z
    .number()
    .int()
    .min(64)
    .default(1024)
    .describe("Address-space limit (RLIMIT_AS) in MB; numpy/sklearn need >= 512 and node >= 1024 (a request's memoryLimitMb overrides it)"),
  cpuTimeLimit: z.number().positive().optional().describe('CPU-time limit in seconds (RLIMIT_CPU); default: the wall-clock limit + 1'),
  maxProcesses: z.number().int().min(1).default(64).describe('Processes and threads the code may have at once (RLIMIT_NPROC)'),
  maxOpenFiles: z.number().int().min(16).default(256).describe('Open file descriptors (RLIMIT_NOFILE)'),
  maxFileSizeMb: z.number().positive().default(256).describe('Largest file the code may write, in MB (RLIMIT_FSIZE)'),
  maxWorkspaceMb: z.number().positive().default(1024).describe('Disk quota of the workspace in MB (as root: the size of its tmpfs)'),
  maxWorkspaceFiles: z.number().int().min(16).default(100_000).describe('Files and directories the workspace may hold (as root: the inodes of its tmpfs)'),
  workspaceFs: z
    .enum(['auto', 'tmpfs', 'directory'])
    .default('auto')
    .describe('auto: as root each workspace is a size- and inode-capped tmpfs (in RAM) the kernel enforces, else a directory whose size is polled; tmpfs: require it; directory: never mount'),
  maxOutputBytes: z.number().int().min(256).default(262_144).describe('Bytes of stdout and of stderr kept (head and tail); the rest is replaced by a marker'),
  maxFetchBytes: z.number().int().min(0).default(67_108_864).describe('Total bytes of fetched files returned by one stateless run'),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment variables for the code (the environment is otherwise empty)'),
  passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default([]).describe('Names of host environment variables passed through unchanged'),
  workRoot: z.string().optional().describe('Host directory under which run and workspace directories are created (default: the OS temp dir)'),
  maxConcurrent: z.number().int().min(0).default(0).describe('Runs executing at once (others queue; the timeout starts when a run starts); 0 = 2 x CPU cores'),
  interpreters: z
    .strictObject({ python: z.string().optional(), node: z.string().optional(), bash: z.string().optional() })
    .default({})
    .describe('Interpreter paths (default /usr/bin/python3, /usr/bin/node, /usr/bin/bash: Debian\'s python3 sees apt\'s numpy/pandas/sklearn)'),
};

const HostSandboxSchema = z.strictObject(hostSandboxFields);
// Plugin configs extend the shared fields; their own fields are dropped here.
const HostSandboxPart = z.object(hostSandboxFields);
export type HostSandboxOptions = z.input<typeof HostSandboxSchema>;
export type HostSandboxSettings = z.output<typeof HostSandboxSchema>;

/** Fills defaults for users of the plain factories. */
export function hostSandboxSettings(options: HostSandboxOptions = {}): HostSandboxSettings {
  return HostSandboxPart.parse(options);
}
