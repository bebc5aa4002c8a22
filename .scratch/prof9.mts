import { spawn } from 'node:child_process';
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const run = (env: Record<string, string>) => new Promise<number>((res) => { const t = performance.now(); spawn('/usr/bin/python3', ['-c', 'pass'], { stdio: 'ignore', env }).on('exit', () => res(performance.now() - t)); });
const base = { PATH: '/usr/bin:/bin' };
const v: Record<string, Record<string, string>> = {
  inherit: process.env as Record<string, string>,
  minimal: base,
  lang: { ...base, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
  pythonpath: { ...base, PYTHONPATH: '/tmp' },
  unbuf: { ...base, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  threads: { ...base, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MPLBACKEND: 'Agg' },
};
const res: Record<string, number[]> = {};
for (let i = 0; i < 60; i++) for (const [k, e] of Object.entries(v)) (res[k] ??= []).push(await run(e));
for (const [k, x] of Object.entries(res)) console.log(k.padEnd(12), med(x).toFixed(2));
