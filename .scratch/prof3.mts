import { mkdtempSync, chownSync } from 'node:fs';
import { createBubblewrapSandbox } from '../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.ts';
import { runProcess } from '../plugins/sandboxes/shared/runProcess.ts';
const sb = await createBubblewrapSandbox({});
const ws = mkdtempSync('/tmp/prof-'); chownSync(ws, 65534, 65534);
const limits = { runTimeout: 10, memoryLimitMb: 1024, cpuTimeLimit: 11, maxProcesses: 64, maxOpenFiles: 256, maxFileSizeMb: 256 };
const launch = await sb.launcher.launch({ language: 'python', code: 'pass', workspaceDir: ws, limits, env: {}, runId: 'x-1' });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1);
const drop = (args: string[], flag: string, n: number) => { const i = args.indexOf(flag); if (i < 0) throw new Error(flag); const a = [...args]; a.splice(i, n + 1); return a; };
const variants: Record<string, string[]> = {
  full: launch.args,
  noDisableUserns: drop(launch.args, '--disable-userns', 0),
  noRemount: drop(launch.args, '--remount-ro', 1),
  noHostname: drop(launch.args, '--hostname', 1),
  noSize: drop(launch.args, '--size', 1),
};
const res: Record<string, number[]> = {};
for (let i = 0; i < 15; i++) for (const [k, args] of Object.entries(variants)) {
  const t = performance.now();
  const o = await runProcess({ ...launch, args, timeoutMs: 10000, maxOutputBytes: 1000 });
  if (o.exitCode !== 0) console.log(k, o.stderr.text());
  (res[k] ??= []).push(performance.now() - t);
}
for (const [k, x] of Object.entries(res)) console.log(k.padEnd(22), med(x));
