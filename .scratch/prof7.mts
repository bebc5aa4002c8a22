import { mkdtempSync, chownSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createBubblewrapSandbox } from '../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.ts';
import { runProcess } from '../plugins/sandboxes/shared/runProcess.ts';
const sb = await createBubblewrapSandbox({});
const ws = mkdtempSync('/tmp/prof-'); chownSync(ws, 65534, 65534);
const limits = { runTimeout: 10, memoryLimitMb: 1024, cpuTimeLimit: 11, maxProcesses: 64, maxOpenFiles: 256, maxFileSizeMb: 256 };
const launch = await sb.launcher.launch({ language: 'python', code: 'pass', workspaceDir: ws, limits, env: {}, runId: 'x-1' });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const raw = (args: string[], pipes: boolean) => new Promise<number>((res) => {
  const t = performance.now();
  const c = spawn('/usr/bin/bwrap', args, { stdio: pipes ? ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'] : 'ignore', uid: 65534, gid: 65534, detached: true });
  if (pipes) { [3, 4, 5, 6].forEach((i) => (c.stdio[i] as any).end('x')); c.stdout!.resume(); c.stderr!.resume(); (c.stdio[7] as any).resume(); }
  c.on('close', (code) => { if (code) console.log('rc', code); res(performance.now() - t); });
});
const minimal = ['--unshare-all', '--unshare-user', '--die-with-parent', '--new-session', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--bind', ws, '/workspace', '--chdir', '/workspace'];
const py = ['/usr/bin/python3', '-c', 'pass'];
const pr = ['/usr/bin/prlimit', '--as=1073741824', '--nproc=64', '--', ...py];
const bare = () => new Promise<number>((res) => { const t = performance.now(); spawn('/usr/bin/python3', ['-c', 'pass'], { stdio: 'ignore' }).on('exit', () => res(performance.now() - t)); });
const v: Record<string, () => Promise<number>> = {
  bare,
  minimalNoPr: () => raw([...minimal, ...py], false),
  minimalPr: () => raw([...minimal, ...pr], false),
  fullArgsNoPipes: () => raw(launch.args.map((a) => (a === '--file' ? '--file' : a)).filter(() => true), true),
  runProcess: async () => { const t = performance.now(); await runProcess({ ...launch, timeoutMs: 10000, maxOutputBytes: 1000 }); return performance.now() - t; },
};
const res: Record<string, number[]> = {};
for (let i = 0; i < 40; i++) for (const [k, f] of Object.entries(v)) (res[k] ??= []).push(await f());
const b = med(res.bare!);
for (const [k, x] of Object.entries(res)) console.log(k.padEnd(16), med(x).toFixed(1), (med(x) / b).toFixed(2));
