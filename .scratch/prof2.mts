import { mkdtempSync, chownSync } from 'node:fs';
import { createBubblewrapSandbox } from '../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.ts';
import { runProcess } from '../plugins/sandboxes/shared/runProcess.ts';
import { spawn } from 'node:child_process';
const sb = await createBubblewrapSandbox({});
const ws = mkdtempSync('/tmp/prof-'); chownSync(ws, 65534, 65534);
const limits = { runTimeout: 10, memoryLimitMb: 1024, cpuTimeLimit: 11, maxProcesses: 64, maxOpenFiles: 256, maxFileSizeMb: 256 };
const launch = await sb.launcher.launch({ language: 'python', code: 'pass', workspaceDir: ws, limits, env: {}, runId: 'x-1' });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1);
const bare = () => new Promise<number>((res) => { const t = performance.now(); spawn('/usr/bin/python3', ['-c', 'pass'], { stdio: 'ignore' }).on('exit', () => res(performance.now() - t)); });
const v: Record<string, () => Promise<number>> = {
  bare,
  runProcessLaunch: async () => { const t = performance.now(); await runProcess({ ...launch, timeoutMs: 10000, maxOutputBytes: 1000 }); return performance.now() - t; },
  hostRun: async () => { const t = performance.now(); await sb.run({ code: 'pass', language: 'python' }); return performance.now() - t; },
  wsRun: async () => { const t = performance.now(); await wsh.run({ code: 'pass', language: 'python' }); return performance.now() - t; },
};
const wsh = await sb.openWorkspace();
const res: Record<string, number[]> = {};
for (let i = 0; i < 40; i++) for (const [k, f] of Object.entries(v)) (res[k] ??= []).push(await f());
for (const [k, x] of Object.entries(res)) console.log(k.padEnd(22), med(x));
await sb.dispose();
const r = await (await createBubblewrapSandbox({})).run({ code: 'print(open("/proc/self/status").read())', language: 'python' });
console.log(r.runResult?.stdout.split('\n').filter((l) => /NoNewPrivs|Seccomp|Cap|Uid|Groups/.test(l)).join('\n'));
