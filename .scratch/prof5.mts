import { mkdtempSync, chownSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createBubblewrapSandbox } from '../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.ts';
import { runProcess } from '../plugins/sandboxes/shared/runProcess.ts';
const sb = await createBubblewrapSandbox({});
const ws = mkdtempSync('/tmp/prof-'); chownSync(ws, 65534, 65534);
const limits = { runTimeout: 10, memoryLimitMb: 1024, cpuTimeLimit: 11, maxProcesses: 64, maxOpenFiles: 256, maxFileSizeMb: 256 };
const launch = await sb.launcher.launch({ language: 'python', code: 'pass', workspaceDir: ws, limits, env: {}, runId: 'x-1' });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const replace = (args: string[], flag: string, n: number, by: string[]) => { const i = args.indexOf(flag); const a = [...args]; a.splice(i, n + 1, ...by); return a; };
const noPrlimit = (a: string[]) => { const i = a.indexOf('/usr/bin/prlimit'); const j = a.indexOf('--', i); return [...a.slice(0, i), ...a.slice(j + 1)]; };
const bare = () => new Promise<number>((res) => { const t = performance.now(); spawn('/usr/bin/python3', ['-c', 'pass'], { stdio: 'ignore' }).on('exit', () => res(performance.now() - t)); });
const variants: Record<string, string[]> = {
  full: launch.args,
  minDev: replace(launch.args, '--dev', 1, ['--dir', '/dev', '--dev-bind', '/dev/null', '/dev/null', '--dev-bind', '/dev/urandom', '/dev/urandom', '--dev-bind', '/dev/zero', '/dev/zero']),
  noPrlimit: noPrlimit(launch.args),
  shareNet: replace(launch.args, '--unshare-all', 0, ['--unshare-all', '--share-net']),
};
const res: Record<string, number[]> = { bare: [] };
for (let i = 0; i < 40; i++) {
  res.bare!.push(await bare());
  for (const [k, args] of Object.entries(variants)) {
    const t = performance.now();
    const o = await runProcess({ ...launch, args, timeoutMs: 10000, maxOutputBytes: 1000 });
    if (o.exitCode !== 0) console.log(k, o.stderr.text());
    (res[k] ??= []).push(performance.now() - t);
  }
}
const b = med(res.bare!);
for (const [k, x] of Object.entries(res)) console.log(k.padEnd(12), med(x).toFixed(1), (med(x) / b).toFixed(2));
