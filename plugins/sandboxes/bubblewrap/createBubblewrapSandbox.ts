import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from '../../../core/contracts/Logger.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { findExecutable } from '../shared/findExecutable.js';
import { HostSandbox } from '../shared/HostSandbox.js';
import { hostSandboxSettings } from '../shared/hostSandboxConfig.js';
import { BubblewrapLauncher } from './BubblewrapLauncher.js';
import { BubblewrapSandboxConfig, type BubblewrapSandboxOptions } from './bubblewrapSandboxPlugin.js';

const OTHER_SANDBOXES =
  'or pick another sandbox in the pipeline (e.g. environment.sandbox: { use: sandboxfusion, baseURL: ... }, or ' +
  '{ use: local-unsafe, isolation: none } for code you trust)';

const probes = new Map<string, Promise<void>>();

/**
 * Runs `true` in a sandbox built exactly like the real ones, once per process and configuration, so a missing
 * package, disabled user namespaces or an untraversable workRoot fail at start-up with a fix instead of on the
 * first agent action. Never falls back to running unsandboxed.
 */
async function probe(sandbox: HostSandbox, key: string): Promise<void> {
  let p = probes.get(key);
  if (!p) {
    p = (async () => {
      const r = await sandbox.run({ code: 'exit 0', language: 'bash', runTimeout: 20 });
      if (r.status === 'Success' && r.runResult?.returnCode === 0) return;
      const detail = r.message || r.runResult?.stderr || `exit ${r.runResult?.returnCode}`;
      if (/Can't find source path .*Permission denied/.test(detail)) {
        const root = sandbox.settings.workRoot ?? 'the OS temp dir';
        throw new MappaError(`bubblewrap cannot mount the workspace: the sandbox user cannot traverse ${root}: ${detail.trim()}`, {
          hint: `as root, bwrap runs as uid ${sandbox.launcher.owner?.uid ?? '(the sandbox uid)'}: set the sandbox's workRoot to a directory it can reach (e.g. /tmp), or chmod o+x ${root} and its parents`,
        });
      }
      if (/namespace|uid map|Operation not permitted|Permission denied|setting up/i.test(detail)) {
        throw new MappaError(`bubblewrap cannot create its sandbox here: ${detail.trim()}`, {
          hint:
            'unprivileged user namespaces look disabled: enable them (sysctl -w user.max_user_namespaces=15000; on Debian ' +
            'also kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 kernel.apparmor_restrict_unprivileged_userns=0), ' +
            `check that the sandbox user can traverse workRoot (${sandbox.settings.workRoot ?? 'the OS temp dir'}), ${OTHER_SANDBOXES}`,
        });
      }
      throw new MappaError(`bubblewrap sandbox self-test failed: ${detail.trim()}`, { hint: `check the sandbox config, ${OTHER_SANDBOXES}` });
    })();
    probes.set(key, p);
    p.catch(() => probes.delete(key));
  }
  return p;
}

/** The bubblewrap sandbox without DI. Checks that bwrap works here first; throws a MappaError naming the fix if not. */
export async function createBubblewrapSandbox(options: BubblewrapSandboxOptions = {}, logger?: Logger): Promise<HostSandbox> {
  const config = BubblewrapSandboxConfig.parse(options);
  const bwrapPath = findExecutable('bwrap', config.bwrapPath);
  if (!bwrapPath) {
    throw new MappaError(`bubblewrap is not installed (no ${config.bwrapPath ?? 'bwrap'} executable found)`, {
      hint: `install the apt package: apt-get install bubblewrap (dnf/pacman: bubblewrap), set the sandbox's bwrapPath, ${OTHER_SANDBOXES}`,
    });
  }
  const prlimitPath = findExecutable('prlimit');
  if (!prlimitPath) throw new MappaError('the bubblewrap sandbox needs prlimit', { hint: `install the apt package util-linux, ${OTHER_SANDBOXES}` });
  const { stdout } = await promisify(execFile)(bwrapPath, ['--version']).catch((err: Error) => {
    throw new MappaError(`cannot run ${bwrapPath} --version: ${err.message}`, { hint: `reinstall the apt package bubblewrap, ${OTHER_SANDBOXES}` });
  });
  const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number);
  const launcher = new BubblewrapLauncher({
    bwrapPath,
    prlimitPath,
    uid: config.uid,
    gid: config.gid,
    tmpSizeMb: config.tmpSizeMb,
    readOnlyPaths: config.readOnlyPaths,
    interpreters: config.interpreters,
    disableNestedUserns: major > 0 || minor >= 8,
  });
  const settings = hostSandboxSettings({ ...config, interpreters: config.interpreters });
  const sandbox = new HostSandbox('bubblewrap', settings, launcher, logger);
  await probe(sandbox, JSON.stringify([bwrapPath, config.uid, config.gid, config.workRoot ?? '', config.readOnlyPaths, config.tmpSizeMb]));
  return sandbox;
}
