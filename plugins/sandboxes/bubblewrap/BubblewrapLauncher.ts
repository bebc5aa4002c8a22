import { lstatSync, readlinkSync } from 'node:fs';
import type { Launch, LaunchRequest, Launcher } from '../shared/Launcher.js';
import { CODE_FILE, DEFAULT_INTERPRETERS, baseEnv, prlimitArgs } from '../shared/Launcher.js';
import type { ProcessOutcome } from '../shared/runProcess.js';
import type { FileOwner } from '../shared/workspaceFiles.js';

export interface BubblewrapLauncherOptions {
  readonly bwrapPath: string;
  readonly prlimitPath: string;
  /** Host uid/gid the code runs as when mappa runs as root (bwrap then runs unprivileged in a user namespace). */
  readonly uid: number;
  readonly gid: number;
  readonly tmpSizeMb: number;
  readonly readOnlyPaths: readonly string[];
  readonly interpreters: Readonly<Partial<Record<'python' | 'node' | 'bash', string | undefined>>>;
  /** bwrap >= 0.8 can forbid nested user namespaces. */
  readonly disableNestedUserns: boolean;
}

const WORKSPACE = '/workspace';

/** `/bin`, `/lib`… are symlinks into /usr on merged-/usr systems and real directories elsewhere. */
function systemDirArgs(): string[] {
  const args: string[] = [];
  for (const path of ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32']) {
    try {
      const st = lstatSync(path);
      if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
      else if (st.isDirectory()) args.push('--ro-bind', path, path);
    } catch {
      // Not on this system.
    }
  }
  return args;
}

/**
 * Builds the bwrap command: every namespace unshared (the network namespace holds only its own loopback), a tmpfs
 * root made read-only after setup, /usr and the dynamic-loader bits of /etc read-only, synthetic passwd/group/hosts,
 * a size-capped private /tmp, the workspace read-write at /workspace, a private /proc and a minimal /dev. As root
 * bwrap starts as an unprivileged uid and creates a user namespace whose process count is separate from every other
 * sandbox's, so RLIMIT_NPROC (set inside the namespace, by prlimit) holds per run; set outside, the namespace would
 * inherit it as a cap on all sandboxes of that uid together.
 */
export class BubblewrapLauncher implements Launcher {
  readonly owner: FileOwner | undefined;
  readonly #asRoot: boolean;
  readonly #insideUid: number;
  readonly #insideGid: number;
  readonly #fixedArgs: string[];

  constructor(readonly o: BubblewrapLauncherOptions) {
    this.#asRoot = process.getuid?.() === 0;
    this.owner = this.#asRoot ? { uid: o.uid, gid: o.gid } : undefined;
    this.#insideUid = this.#asRoot ? o.uid : (process.getuid?.() ?? o.uid);
    this.#insideGid = this.#asRoot ? o.gid : (process.getgid?.() ?? o.gid);
    this.#fixedArgs = [
      '--unshare-all',
      '--unshare-user',
      ...(o.disableNestedUserns ? ['--disable-userns'] : []),
      '--die-with-parent',
      '--new-session',
      '--hostname',
      'sandbox',
      '--ro-bind',
      '/usr',
      '/usr',
      ...systemDirArgs(),
      '--ro-bind-try',
      '/etc/alternatives',
      '/etc/alternatives',
      '--ro-bind-try',
      '/etc/ld.so.cache',
      '/etc/ld.so.cache',
      ...o.readOnlyPaths.flatMap((p) => ['--ro-bind', p, p]),
      '--size',
      String(Math.floor(o.tmpSizeMb * 1024 * 1024)),
      '--tmpfs',
      '/tmp',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
    ];
  }

  async launch(r: LaunchRequest): Promise<Launch> {
    const interpreter = this.o.interpreters[r.language] ?? DEFAULT_INTERPRETERS[r.language];
    const codePath = `/code/${CODE_FILE[r.language]}`;
    const env = { ...r.env, ...baseEnv({ home: '/tmp', workspace: WORKSPACE, tmp: '/tmp', runId: r.runId }) };
    // Data fds 3..6 (code, passwd, group, hosts) are copied by bwrap into the root tmpfs, which `--remount-ro /`
    // then freezes (cheaper than a bind mount each); fd 7 receives bwrap's JSON status.
    const bwrapArgs = [
      ...this.#fixedArgs,
      '--clearenv',
      ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
      '--perms',
      '0444',
      '--file',
      '3',
      codePath,
      '--perms',
      '0444',
      '--file',
      '4',
      '/etc/passwd',
      '--perms',
      '0444',
      '--file',
      '5',
      '/etc/group',
      '--perms',
      '0444',
      '--file',
      '6',
      '/etc/hosts',
      '--bind',
      r.workspaceDir,
      WORKSPACE,
      '--chdir',
      WORKSPACE,
      '--remount-ro',
      '/',
      '--json-status-fd',
      '7',
      '--',
      this.o.prlimitPath,
      ...prlimitArgs(r.limits),
      '--',
      interpreter,
      codePath,
    ];
    return {
      command: this.o.bwrapPath,
      args: bwrapArgs,
      // As root, Node drops to the sandbox uid/gid (and clears supplementary groups) right before exec: what
      // `setpriv --reuid --regid --clear-groups` does, without its exec. bwrap itself sets no_new_privs.
      ...(this.#asRoot ? { uid: this.o.uid, gid: this.o.gid } : {}),
      env: {},
      dataFds: [
        r.code,
        `sandbox:x:${this.#insideUid}:${this.#insideGid}:sandbox:/tmp:/usr/sbin/nologin\n`,
        `sandbox:x:${this.#insideGid}:\n`,
        '127.0.0.1 localhost sandbox\n::1 localhost\n',
      ],
      statusFd: true,
    };
  }

  /** bwrap reports the sandboxed child's pid on the status fd once setup worked; no pid means setup failed. */
  setupError(outcome: ProcessOutcome): string | undefined {
    if (outcome.status.includes('"child-pid"') || outcome.timedOut) return undefined;
    const detail = outcome.stderr.text().trim().split('\n').slice(0, 5).join('\n');
    return `bubblewrap could not set up the sandbox (exit ${outcome.exitCode ?? outcome.signal}): ${detail || 'no message'}`;
  }
}
