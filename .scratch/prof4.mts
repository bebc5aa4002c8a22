import { mkdtempSync, chownSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createBubblewrapSandbox } from '../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.ts';
import { runProcess } from '../plugins/sandboxes/shared/runProcess.ts';
const sb = await createBubblewrapSandbox({});
const ws = mkdtempSync('/tmp/prof-'); chownSync(ws, 65534, 65534);
const limits = { runTimeout: 10, memoryLimitMb: 1024, cpuTimeLimit: 11, maxProcesses: 64, maxOpenFiles: 256, maxFileSizeMb: 256 };
const launch = await sb.launcher.launch({ language: 'python', code: 'pass', workspaceDir: ws, limits, env: {}, runId: 'x-1' });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1);
const bwrapArgs = launch.args.slice(5);
const fileArgs = bwrapArgs.join('\u0000').replaceAll('--ro-bind-data', '--file').split('\u0000');
const noPrlimit = (a: string[]) => { const i = a.indexOf('/usr/bin/prlimit'); const j = a.indexOf('--', i); return [...a.slice(0, i), ...a.slice(j + 1)]; };
const bare = () => new Promise<number>((res) => { const t = performance.now(); spawn('/usr/bin/python3', ['-c', 'pass'], { stdio: 'ignore' }).on('exit', () => res(performance.now() - t)); });
const variants: Record<string, { command: string; args: string[]; uid?: boolean }> = {
  full: { command: launch.command, args: launch.args },
  uidOpt: { command: '/usr/bin/bwrap', args: bwrapArgs, uid: true },
  uidFile: { command: '/usr/bin/bwrap', args: fileArgs, uid: true },
  uidFileNoPrlimit: { command: '/usr/bin/bwrap', args: noPrlimit(fileArgs), uid: true },
};
const res: Record<string, number[]> = { bare: [] };
for (let i = 0; i < 40; i++) {
  res.bare!.push(await bare());
  for (const [k, v] of Object.entries(variants)) {
    const t = performance.now();
    const o = await runProcess({ ...launch, command: v.command, args: v.args, ...(v.uid ? { uid: 65534, gid: 65534 } : {}), timeoutMs: 10000, maxOutputBytes: 1000 } as never);
    if (o.exitCode !== 0) console.log(k, o.stderr.text(), o.spawnError);
    (res[k] ??= []).push(performance.now() - t);
  }
}
for (const [k, x] of Object.entries(res)) console.log(k.padEnd(22), med(x));
