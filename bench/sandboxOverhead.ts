// Per-execution overhead of the bubblewrap sandbox against a bare `/usr/bin/python3 -c pass` spawn, and
// sandboxed throughput at concurrency 1, 2 and 4. Run: npx tsx bench/sandboxOverhead.ts [runs=30] [burst=40]
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { createBubblewrapSandbox } from '../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.js';

const runs = Number(process.argv[2] ?? 30);
const burst = Number(process.argv[3] ?? 40);

function bare(): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', 'pass'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - t0));
  });
}

const sandbox = await createBubblewrapSandbox({ maxConcurrent: 16 });
async function sandboxed(): Promise<number> {
  const t0 = performance.now();
  const r = await sandbox.run({ code: 'pass', language: 'python' });
  if (r.runResult?.status !== 'Finished') throw new Error(`sandbox run failed: ${JSON.stringify(r)}`);
  return performance.now() - t0;
}

const workspace = await sandbox.openWorkspace();
async function workspaceRun(): Promise<number> {
  const t0 = performance.now();
  const r = await workspace.run({ code: 'pass', language: 'python' });
  if (r.runResult?.status !== 'Finished') throw new Error(`workspace run failed: ${JSON.stringify(r)}`);
  return performance.now() - t0;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  return s[Math.floor(i)]! + (s[Math.ceil(i)]! - s[Math.floor(i)]!) * (i - Math.floor(i));
};
const stats = (xs: number[]) => ({ median: quantile(xs, 0.5), p10: quantile(xs, 0.1), p90: quantile(xs, 0.9), min: Math.min(...xs), max: Math.max(...xs) });
const r1 = (n: number) => Math.round(n * 10) / 10;

for (let i = 0; i < 3; i++) {
  await bare();
  await sandboxed();
  await workspaceRun();
}
// Interleaved so that load changes on a shared machine hit both series alike.
const bareMs: number[] = [];
const sandboxMs: number[] = [];
const workspaceMs: number[] = [];
for (let i = 0; i < runs; i++) {
  bareMs.push(await bare());
  sandboxMs.push(await sandboxed());
  workspaceMs.push(await workspaceRun());
}
const b = stats(bareMs);
const s = stats(sandboxMs);
const w = stats(workspaceMs);

const throughput: Array<{ concurrency: number; sandboxPerSec: number; barePerSec: number }> = [];
for (const concurrency of [1, 2, 4]) {
  const measure = async (fn: () => Promise<number>) => {
    const limit = pLimit(concurrency);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: burst }, () => limit(fn)));
    return burst / ((performance.now() - t0) / 1000);
  };
  throughput.push({ concurrency, sandboxPerSec: r1(await measure(sandboxed)), barePerSec: r1(await measure(bare)) });
}
await workspace.close();
await sandbox.dispose();

const result = {
  runs,
  cores: availableParallelism(),
  bareMs: Object.fromEntries(Object.entries(b).map(([k, v]) => [k, r1(v)])),
  sandboxMs: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, r1(v)])),
  workspaceMs: Object.fromEntries(Object.entries(w).map(([k, v]) => [k, r1(v)])),
  overheadRatio: Math.round((s.median / b.median) * 100) / 100,
  workspaceOverheadRatio: Math.round((w.median / b.median) * 100) / 100,
  overheadMs: r1(s.median - b.median),
  goal: 'sandboxMs.median <= 1.5 x bareMs.median',
  throughput,
};
console.log('| series | median ms | p10 | p90 | min | max |\n|---|---|---|---|---|---|');
console.log(`| bare python3 -c pass | ${r1(b.median)} | ${r1(b.p10)} | ${r1(b.p90)} | ${r1(b.min)} | ${r1(b.max)} |`);
console.log(`| bubblewrap run (pass) | ${r1(s.median)} | ${r1(s.p10)} | ${r1(s.p90)} | ${r1(s.min)} | ${r1(s.max)} |`);
console.log(`| bubblewrap workspace run (pass) | ${r1(w.median)} | ${r1(w.p10)} | ${r1(w.p90)} | ${r1(w.min)} | ${r1(w.max)} |`);
console.log(`\noverhead: ${result.overheadRatio}x stateless, ${result.workspaceOverheadRatio}x workspace (${result.overheadMs} ms per execution; goal <= 1.5x)\n`);
console.log('| concurrency | sandboxed exec/s | bare exec/s |\n|---|---|---|');
for (const t of throughput) console.log(`| ${t.concurrency} | ${t.sandboxPerSec} | ${t.barePerSec} |`);
console.log('\n' + JSON.stringify(result));
