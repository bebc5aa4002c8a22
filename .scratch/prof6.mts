import { spawn } from 'node:child_process';
const run = (cmd: string, args: string[]) => new Promise<number>((res) => { const t = performance.now(); spawn(cmd, args, { stdio: 'ignore' }).on('exit', (c) => { if (c) console.log(cmd, c); res(performance.now() - t); }); });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const v: Record<string, () => Promise<number>> = {
  true: () => run('/bin/true', []),
  prlimit: () => run('/usr/bin/prlimit', ['--as=1073741824', '--cpu=11:12', '--nproc=64', '--nofile=256', '--fsize=268435456', '--core=0', '--', '/bin/true']),
  dash: () => run('/usr/bin/dash', ['-c', 'ulimit -v 1048576 -t 11 -p 64 -n 256 -f 524288 -c 0; exec /bin/true']),
};
const res: Record<string, number[]> = {};
for (let i = 0; i < 200; i++) for (const [k, f] of Object.entries(v)) (res[k] ??= []).push(await f());
for (const [k, x] of Object.entries(res)) console.log(k.padEnd(10), med(x).toFixed(2));
