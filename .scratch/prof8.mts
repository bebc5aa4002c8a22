import { mkdtempSync, chownSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createBubblewrapSandbox } from '../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.ts';
import { runProcess } from '../plugins/sandboxes/shared/runProcess.ts';
const sb = await createBubblewrapSandbox({});
const ws = mkdtempSync('/tmp/prof-'); chownSync(ws, 65534, 65534);
const limits = { runTimeout: 10, memoryLimitMb: 1024, cpuTimeLimit: 11, maxProcesses: 64, maxOpenFiles: 256, maxFileSizeMb: 256 };
const launch = await sb.launcher.launch({ language: 'python', code: 'pass', workspaceDir: ws, limits, env: {}, runId: 'x-1' });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const drop = (args: string[], flag: string, n: number, from = 0) => { const i = args.indexOf(flag, from); if (i < 0) throw new Error(flag); const a = [...args]; a.splice(i, n + 1); return a; };
let noFiles = launch.args;
for (let k = 0; k < 4; k++) { const i = noFiles.indexOf('--perms'); noFiles = [...noFiles.slice(0, i), ...noFiles.slice(i + 5)]; }
const noEnv = launch.args.filter((a, i, arr) => !(a === '--setenv' || arr[i - 1] === '--setenv' || arr[i - 2] === '--setenv'));
const variants: Record<string, string[]> = {
  full: launch.args,
  noDisableUserns: drop(launch.args, '--disable-userns', 0),
  noEtc: drop(drop(launch.args, '--ro-bind-try', 2), '--ro-bind-try', 2),
  noFiles,
  noEnv,
  noRemount: drop(launch.args, '--remount-ro', 1),
  noStatus: drop(launch.args, '--json-status-fd', 1),
};
const bare = () => new Promise<number>((res) => { const t = performance.now(); spawn('/usr/bin/python3', ['-c', 'pass'], { stdio: 'ignore' }).on('exit', () => res(performance.now() - t)); });
const res: Record<string, number[]> = { bare: [] };
for (let i = 0; i < 40; i++) {
  res.bare!.push(await bare());
  for (const [k, args] of Object.entries(variants)) {
    const t = performance.now();
    await runProcess({ ...launch, args, timeoutMs: 10000, maxOutputBytes: 1000 });
    (res[k] ??= []).push(performance.now() - t);
  }
}
const b = med(res.bare!);
for (const [k, x] of Object.entries(res)) console.log(k.padEnd(16), med(x).toFixed(1), (med(x) / b).toFixed(2));
