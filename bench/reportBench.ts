/**
 * How long `writeReport` takes on a large run, how big the page is, and how long headless Chromium takes to open it.
 *
 *   npx tsx bench/reportBench.ts [--steps 100] [--episodes 32] [--reps 3] [--max-episodes 500]
 *
 * The run is synthetic (test/report/syntheticRun.ts): 3 agents × 2 actions per episode, 2,000-character inputs,
 * 256 token ids and log-probs per action, as a real run writes them.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeReport } from '../plugins/exporters/report/writeReport.js';
import { writeSyntheticRun } from '../test/report/syntheticRun.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '100' },
    episodes: { type: 'string', default: '32' },
    reps: { type: 'string', default: '3' },
    'max-episodes': { type: 'string', default: '500' },
  },
});
const steps = Number(values.steps);
const perStep = Number(values.episodes);
const reps = Number(values.reps);
const maxEpisodes = Number(values['max-episodes']);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (xs: number[], unit: string) => `median ${median(xs).toFixed(0)} ${unit} (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

const dir = await mkdtemp(join(tmpdir(), 'mappa-report-bench-'));
try {
  const t0 = performance.now();
  await writeSyntheticRun(dir, { steps, episodesPerStep: perStep });
  let runBytes = 0;
  for (const f of [join(dir, 'metrics.jsonl'), ...Array.from({ length: steps }, (_, i) => join(dir, 'episodes', `train-step-${String(i + 1).padStart(4, '0')}.jsonl`))]) {
    runBytes += (await stat(f)).size;
  }
  console.log(`synthetic run: ${steps} steps × ${perStep} episodes = ${steps * perStep} episodes, ${(runBytes / 1e6).toFixed(1)} MB (written in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const times: number[] = [];
  let bytes = 0;
  const out = join(dir, 'report.html');
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const r = await writeReport({ runDirs: [dir], out, maxEpisodes });
    times.push(performance.now() - t);
    bytes = r.bytes;
  }
  console.log(`writeReport (max ${maxEpisodes} episodes embedded): ${fmt(times, 'ms')}; page ${(bytes / 1e6).toFixed(2)} MB; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

  const chromiumPath = '/usr/bin/chromium';
  if (existsSync(chromiumPath)) {
    const { chromium } = await import('playwright-core');
    const userDataDir = await mkdtemp(join(tmpdir(), 'mappa-bench-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const loads: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t = performance.now();
        await page.goto(pathToFileURL(out).href);
        await page.waitForFunction(() => (globalThis as any).__mappaReport?.ready === true, undefined, { timeout: 120_000 });
        loads.push(performance.now() - t);
      }
      console.log(`Chromium open until ready: ${fmt(loads, 'ms')}`);
    } finally {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    }
  } else {
    console.log(`Chromium open: skipped (${chromiumPath} not found)`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
