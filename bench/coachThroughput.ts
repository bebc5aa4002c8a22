/**
 * Coach runtime throughput against a loopback fake OpenAI-compatible server that answers after 200 ms.
 *
 *   npx tsx bench/coachThroughput.ts [--latency 200] [--repeats 3] [--json]
 *
 * For concurrency 1, 8 and 32: evaluations per second and p50/p95 latency of one evaluation (closed loop: `c`
 * workers each score actions one after another). Then the cache speed-up: the same 64 actions scored cold (every
 * call goes to the server) and again by a new coach instance on the same cache directory.
 * Each figure is the median over the repeats, with the min–max spread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createOpenAICoach } from '../coaches/llm/openaiCoachPlugin.js';
import type { CoachInput } from '../core/contracts/Coach.js';
import { sampleAction, sampleCoachInput } from '../test/conformance/coachConformance.js';
import { startFakeServer } from '../test/fakes/fakeOpenAIServer.js';
import { providerReply } from '../test/fakes/fakeProviderResponses.js';

const { values } = parseArgs({
  options: { latency: { type: 'string', default: '200' }, repeats: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } },
});
const LATENCY = Number(values.latency);
const REPEATS = Number(values.repeats);

function input(i: number): CoachInput {
  const action = sampleAction({ text: `The answer is \\boxed{${i}}` });
  return sampleCoachInput({ action: action.text, actionRecord: action });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function summary(xs: readonly number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s.at(-1)! };
}

let run = 0;
async function measure(url: string, concurrency: number, count: number, cacheDir?: string, offset = 0) {
  // A fresh model name per measurement: its own provider limiter and, without cacheDir, no shared entries.
  const coach = await createOpenAICoach(
    { baseURL: `${url}/v1`, model: `bench-${process.pid}-${++run}`, template: 'builtin:mathchat', concurrency, cache: cacheDir !== undefined },
    cacheDir ? { cacheDir } : {},
  );
  return timed(coach, concurrency, count, offset);
}

async function timed(coach: Awaited<ReturnType<typeof createOpenAICoach>>, concurrency: number, count: number, offset: number) {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const s = performance.now();
        const e = await coach.evaluate(input(offset + i));
        if (e.flags.fallback) throw new Error(`unexpected fallback: ${e.error}`);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: count / seconds, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), seconds, stats: coach.stats() };
}

const server = await startFakeServer(() => ({ ...providerReply('openai', 'Fine.\nPROCESS_SCORE: 7\nANSWER_CORRECT: 1'), delayMs: LATENCY }));
const rows: Array<Record<string, unknown>> = [];
try {
  for (const concurrency of [1, 8, 32]) {
    const count = Math.max(20, concurrency * 6);
    const reps = [];
    for (let r = 0; r < REPEATS; r++) reps.push(await measure(server.url, concurrency, count));
    rows.push({
      concurrency,
      evaluations: count,
      perSecond: summary(reps.map((x) => x.perSecond)),
      p50ms: summary(reps.map((x) => x.p50)),
      p95ms: summary(reps.map((x) => x.p95)),
    });
  }

  const speedups: number[] = [];
  const warmSeconds: number[] = [];
  const coldSeconds: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'mappa-bench-cache-'));
    try {
      const model = `bench-cache-${process.pid}-${r}`;
      const make = () => createOpenAICoach({ baseURL: `${server.url}/v1`, model, template: 'builtin:mathchat', concurrency: 8 }, { cacheDir: dir });
      const cold = await timed(await make(), 8, 64, 1000 * r);
      const warm = await timed(await make(), 8, 64, 1000 * r);
      if (warm.stats['cache_hits'] !== 64) throw new Error(`expected 64 cache hits, got ${warm.stats['cache_hits']}`);
      coldSeconds.push(cold.seconds);
      warmSeconds.push(warm.seconds);
      speedups.push(cold.seconds / warm.seconds);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  rows.push({ cache: '64 evaluations, concurrency 8', coldSeconds: summary(coldSeconds), warmSeconds: summary(warmSeconds), speedup: summary(speedups) });
} finally {
  await server.close();
}

if (values.json) {
  process.stdout.write(JSON.stringify({ latencyMs: LATENCY, repeats: REPEATS, rows }, null, 2) + '\n');
} else {
  const f = (s: { median: number; min: number; max: number }, d = 1) => `${s.median.toFixed(d)} [${s.min.toFixed(d)}–${s.max.toFixed(d)}]`;
  process.stdout.write(`coach throughput, fake server latency ${LATENCY} ms, median [min–max] of ${REPEATS} repeats\n`);
  for (const r of rows) {
    if ('concurrency' in r) {
      const x = r as { concurrency: number; evaluations: number; perSecond: never; p50ms: never; p95ms: never };
      process.stdout.write(`concurrency ${String(x.concurrency).padStart(2)} (${x.evaluations} evals): ${f(x.perSecond)} evals/s, p50 ${f(x.p50ms, 0)} ms, p95 ${f(x.p95ms, 0)} ms\n`);
    } else {
      const x = r as { coldSeconds: never; warmSeconds: never; speedup: never };
      process.stdout.write(`cache (64 evals, concurrency 8): cold ${f(x.coldSeconds, 2)} s, warm ${f(x.warmSeconds, 3)} s, speed-up ${f(x.speedup)}x\n`);
    }
  }
}
