/**
 * `mappa serve` throughput: generated tokens per second over HTTP against the same model generating in-process.
 *
 *   npx tsx bench/serveThroughput.ts [--preset small] [--tokens 64] [--requests 8] [--reps 7] [--json]
 *
 * One checkpoint (a preset saved like `mappa model init`) is served by `createOpenAIServer` in this process and loaded
 * a second time as an in-process policy. Workload: a two-message chat, `tokens` new tokens per request (ignore_eos, so
 * every request generates exactly that many), temperature 1, a new seed per request. At concurrency c, c clients
 * each send `requests` requests one after another (closed loop). In-process and HTTP runs are
 * interleaved (order alternating per repetition) so a load change on the machine hits both; each figure is the
 * median over the repetitions with the min–max spread. The HTTP client (fetch, keep-alive) runs in the same process
 * and on the same core as the server, so the ratio includes the client's cost too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTfjsTransformerPolicy } from '../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { PresetName } from '../plugins/policies/tfjs-transformer/presets.js';
import { createOpenAIServer } from '../plugins/serving/createOpenAIServer.js';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'small' },
    tokens: { type: 'string', default: '64' },
    reps: { type: 'string', default: '7' },
    requests: { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
  },
});
const TOKENS = Number(values.tokens);
const REPS = Number(values.reps);
/** Requests each client sends per measurement. */
const PER_CLIENT = Number(values.requests);
const CONCURRENCY = [1, 8];
const messages = [
  { role: 'system' as const, content: 'You are the Problem Solver.' },
  { role: 'user' as const, content: 'What is 37 + 45? Think step by step and give the answer.' },
];

function summary(xs: readonly number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s.at(-1)! };
}

async function closedLoop(concurrency: number, one: (seed: number) => Promise<number>): Promise<number> {
  const total = PER_CLIENT * concurrency;
  let next = 0;
  let tokens = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        // Not `tokens += await …`: that reads `tokens` before the await and loses the other workers' additions.
        const n = await one(1000 + next++);
        tokens += n;
      }
    }),
  );
  return tokens / ((performance.now() - t0) / 1000);
}

const dir = await mkdtemp(join(tmpdir(), 'mappa-bench-serve-'));
const modelDir = join(dir, 'model');
const seedPolicy = await createTfjsTransformerPolicy({ preset: values.preset as PresetName, seed: 0 });
await seedPolicy.save(modelDir, { exact: true });
seedPolicy.dispose();
const local = await createTfjsTransformerPolicy({ path: modelDir });
const server = await createOpenAIServer({ models: [{ name: 'm', path: modelDir }], port: 0 });

const inProcess = (seed: number) =>
  local.generateFromIds({ contextIds: local.contextIds(messages), seed, ignoreEos: true, sampling: { maxNewTokens: TOKENS } }).then((g) => g.tokenIds.length);
const overHttp = async (seed: number) => {
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages, seed, max_tokens: TOKENS, ignore_eos: true, logprobs: true, return_token_ids: true }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { usage: { completion_tokens: number } };
  return body.usage.completion_tokens;
};

type Stats = { prefills: number; steps: number; rowSteps: number };
const servedStats = () => (server.models()[0]!.model as unknown as { generationStats: Stats }).generationStats;
const rows: Array<{ concurrency: number; inProcess: ReturnType<typeof summary>; http: ReturnType<typeof summary>; ratio: ReturnType<typeof summary>; prefillsPerRequest: { inProcess: number; http: number } }> = [];
const prefills = new Map<string, { prefills: number; requests: number }>();
async function counted(key: string, stats: () => Stats, c: number, one: (seed: number) => Promise<number>): Promise<number> {
  const before = stats().prefills;
  const perSecond = await closedLoop(c, one);
  const p = prefills.get(key) ?? { prefills: 0, requests: 0 };
  p.prefills += stats().prefills - before;
  p.requests += PER_CLIENT * c;
  prefills.set(key, p);
  return perSecond;
}
try {
  // Warm-up: wasm kernels, inference weight caches, the HTTP connection pool.
  await closedLoop(2, inProcess);
  await closedLoop(2, overHttp);
  const measured = new Map<number, { local: number[]; http: number[] }>(CONCURRENCY.map((c) => [c, { local: [], http: [] }]));
  for (let r = 0; r < REPS; r++) {
    for (const c of CONCURRENCY) {
      const m = measured.get(c)!;
      const runLocal = async () => m.local.push(await counted(`local-${c}`, () => local.generationStats, c, inProcess));
      const runHttp = async () => m.http.push(await counted(`http-${c}`, servedStats, c, overHttp));
      if (r % 2 === 0) {
        await runLocal();
        await runHttp();
      } else {
        await runHttp();
        await runLocal();
      }
      process.stderr.write(`rep ${r + 1}/${REPS} c=${c}: in-process ${m.local.at(-1)!.toFixed(0)} tok/s, HTTP ${m.http.at(-1)!.toFixed(0)} tok/s\n`);
    }
  }
  for (const c of CONCURRENCY) {
    const m = measured.get(c)!;
    const per = (k: string) => prefills.get(k)!.prefills / prefills.get(k)!.requests;
    rows.push({
      concurrency: c,
      inProcess: summary(m.local),
      http: summary(m.http),
      ratio: summary(m.http.map((h, i) => h / m.local[i]!)),
      prefillsPerRequest: { inProcess: per(`local-${c}`), http: per(`http-${c}`) },
    });
  }
} finally {
  await server.close();
  local.dispose();
  await rm(dir, { recursive: true, force: true });
}

if (values.json) {
  process.stdout.write(JSON.stringify({ preset: values.preset, tokens: TOKENS, reps: REPS, rows }, null, 2) + '\n');
} else {
  const f = (s: { median: number; min: number; max: number }, d = 0) => `${s.median.toFixed(d)} [${s.min.toFixed(d)}–${s.max.toFixed(d)}]`;
  process.stdout.write(`mappa serve vs in-process, ${values.preset} preset, ${TOKENS} tokens per request, median [min–max] of ${REPS} interleaved reps\n\n`);
  process.stdout.write('| concurrency | in-process tokens/s | HTTP tokens/s | HTTP / in-process | prefills per request (in-process / HTTP) |\n|---:|---:|---:|---:|---:|\n');
  for (const r of rows) {
    process.stdout.write(`| ${r.concurrency} | ${f(r.inProcess)} | ${f(r.http)} | ${f(r.ratio, 3)} | ${r.prefillsPerRequest.inProcess.toFixed(2)} / ${r.prefillsPerRequest.http.toFixed(2)} |\n`);
  }
}
