import { spawn } from 'node:child_process';
import { mkdtempSync, chownSync } from 'node:fs';
const ws = mkdtempSync('/tmp/prof-'); chownSync(ws, 65534, 65534);
function run(cmd: string, args: string[], fds = 0): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const stdio: any[] = ['ignore', 'ignore', 'ignore'];
    for (let i = 0; i < fds; i++) stdio.push('pipe');
    const c = spawn(cmd, args, { stdio });
    for (let i = 0; i < fds; i++) (c.stdio[3 + i] as any).end(i === 0 ? 'pass' : 'x');
    c.on('exit', () => resolve(performance.now() - t0));
  });
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1);
const base = ['--unshare-all', '--unshare-user', '--die-with-parent', '--new-session', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--bind', ws, '/workspace', '--chdir', '/workspace'];
const sp = ['--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs'];
const variants: Record<string, () => Promise<number>> = {
  bare: () => run('/usr/bin/python3', ['-c', 'pass']),
  bareS: () => run('/usr/bin/python3', ['-S', '-c', 'pass']),
  setprivOnly: () => run('/usr/bin/setpriv', [...sp, '/usr/bin/python3', '-c', 'pass']),
  bwrapRoot: () => run('/usr/bin/bwrap', [...base, '/usr/bin/python3', '-c', 'pass']),
  bwrapNoNet: () => run('/usr/bin/bwrap', [...base, '--share-net', '/usr/bin/python3', '-c', 'pass']),
  setprivBwrap: () => run('/usr/bin/setpriv', [...sp, '/usr/bin/bwrap', ...base, '/usr/bin/python3', '-c', 'pass']),
  setprivBwrapNoNet: () => run('/usr/bin/setpriv', [...sp, '/usr/bin/bwrap', ...base, '--share-net', '/usr/bin/python3', '-c', 'pass']),
  setprivBwrapPrlimit: () => run('/usr/bin/setpriv', [...sp, '/usr/bin/bwrap', ...base, '/usr/bin/prlimit', '--as=1073741824', '--nproc=64', '--', '/usr/bin/python3', '-c', 'pass']),
  bwrapNoProc: () => run('/usr/bin/setpriv', [...sp, '/usr/bin/bwrap', ...base.filter((a, i, arr) => !(a === '--proc' || arr[i - 1] === '--proc')), '/usr/bin/python3', '-c', 'pass']),
  bwrapSimple: () => run('/usr/bin/setpriv', [...sp, '/usr/bin/bwrap', '--unshare-user', '--ro-bind', '/', '/', '/usr/bin/python3', '-c', 'pass']),
  bwrapPidOnly: () => run('/usr/bin/setpriv', [...sp, '/usr/bin/bwrap', '--unshare-user', '--unshare-pid', '--ro-bind', '/', '/', '--proc', '/proc', '/usr/bin/python3', '-c', 'pass']),
  bwrapNetOnly: () => run('/usr/bin/setpriv', [...sp, '/usr/bin/bwrap', '--unshare-user', '--unshare-net', '--ro-bind', '/', '/', '/usr/bin/python3', '-c', 'pass']),
};
const res: Record<string, number[]> = {};
for (let i = 0; i < 25; i++) for (const [k, f] of Object.entries(variants)) (res[k] ??= []).push(await f());
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(22), med(v));
