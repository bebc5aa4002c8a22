import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../plugins/exporters/report/index.js';
import { makeSampleRun, readAllEpisodes, readMetricsJsonl } from './sampleRuns.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/report/', import.meta.url));

// CI installs Debian's chromium (.ci/run); elsewhere, a machine without it skips these tests with a warning.
const runBrowserTests = existsSync(CHROMIUM) || process.env.CI !== undefined;
if (!runBrowserTests) console.warn(`report browser tests skipped: ${CHROMIUM} not found`);

// Page functions run in the browser; this project compiles without DOM types, hence globalThis casts.
interface Rendered {
  x: number[];
  series: Array<{ run: number; key: string; label: string; y: Array<number | null> }>;
}

describe.skipIf(!runBrowserTests)('HTML report in headless Chromium', () => {
  const tmp: string[] = [];
  let context: BrowserContext | undefined;
  let page: Page;
  let runs: string[];
  let reportFile: string;
  const consoleErrors: string[] = [];
  const outsideRequests: string[] = [];

  beforeAll(async () => {
    runs = [await makeSampleRun({ seed: 7 }), await makeSampleRun({ seed: 8, rewardScale: 0.2 })];
    tmp.push(...runs);
    await mkdir(ARTIFACTS, { recursive: true });
    reportFile = join(ARTIFACTS, 'report.html');
    await writeReport({ runDirs: runs, out: reportFile, labels: ['process', 'outcome'], plotsDir: join(ARTIFACTS, 'plots') });
    const userDataDir = await mkdtemp(join(tmpdir(), 'mappa-chromium-'));
    tmp.push(userDataDir);
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      if (!/^(file|data|about|blob):/.test(r.url())) outsideRequests.push(r.url());
    });
    await page.goto(pathToFileURL(reportFile).href);
    await page.waitForFunction(() => (globalThis as any).__mappaReport?.ready === true, undefined, { timeout: 20_000 });
  });

  afterAll(async () => {
    await context?.close();
    for (const d of tmp) await rm(d, { recursive: true, force: true });
  });

  it('renders every chart with no console errors and no network', async () => {
    expect(consoleErrors).toEqual([]);
    expect(outsideRequests).toEqual([]);
    const { charts, canvases } = await page.evaluate(() => ({
      charts: (globalThis as any).__mappaReport.charts.length as number,
      canvases: (globalThis as any).document.querySelectorAll('.chart-card .uplot canvas').length,
    }));
    expect(charts).toBeGreaterThanOrEqual(10);
    // One canvas per chart, plus the metric explorer's.
    expect(canvases).toBe(charts + 1);
    expect(await page.locator('figure.hist svg').count()).toBe(3);
  });

  it('plots exactly the points in metrics.jsonl', async () => {
    const rendered = (await page.evaluate(() => (globalThis as any).__mappaReport.rendered)) as Record<string, Rendered>;
    const metrics = await Promise.all(runs.map((r) => readMetricsJsonl(r)));
    let points = 0;
    for (const [id, chart] of Object.entries(rendered)) {
      for (const s of chart.series) {
        const drawn = chart.x.flatMap((x, i) => (s.y[i] === null || s.y[i] === undefined ? [] : [[x, s.y[i]]]));
        const expected = metrics[s.run]!.filter((row) => typeof row[s.key] === 'number').map((row) => [row.step, row[s.key]]);
        expect({ id, key: s.key, run: s.run, drawn }).toEqual({ id, key: s.key, run: s.run, drawn: expected });
        points += drawn.length;
      }
    }
    expect(Object.keys(rendered)).toEqual(expect.arrayContaining(['eval-accuracy', 'train-coach-score', 'trainer-loss', 'trainer-kl', 'trainer-clip_frac', 'explorer']));
    expect(points).toBeGreaterThan(100);

    // The metric explorer draws any column the same way.
    await page.selectOption('#explorer-key', 'train/tool_calls');
    const explorer = (await page.evaluate(() => (globalThis as any).__mappaReport.rendered.explorer)) as Rendered;
    expect(explorer.series.map((s) => s.run)).toEqual([0, 1]);
    for (const s of explorer.series) {
      const drawn = explorer.x.flatMap((x, i) => (s.y[i] === null ? [] : [[x, s.y[i]]]));
      expect(drawn).toEqual(metrics[s.run]!.filter((r) => typeof r['train/tool_calls'] === 'number').map((r) => [r.step, r['train/tool_calls']]));
    }
  });

  it('shows a chosen episode with every action, its input on demand and the coach rationale', async () => {
    const episodes = await readAllEpisodes(runs[1]!);
    const known = episodes.find((e) => e.phase === 'train' && e.step === 2 && e.actions.some((a: any) => a.toolCalls.length > 0))!;
    expect(known).toBeDefined();
    const row = page.locator(`#episode-rows tr[data-episode="1:${known.id}"]`);
    await row.scrollIntoViewIfNeeded();
    await row.click();
    const detail = page.locator('#episode-detail');
    await expect.poll(() => detail.locator('.action').count()).toBe(known.actions.length);
    const text = await detail.innerText();
    for (const a of known.actions) {
      expect(text).toContain(a.coach.rationale);
      expect(text).toContain(a.text);
    }
    const withTool = known.actions.filter((a: any) => a.toolOutput);
    expect(await detail.locator('pre.tool-output').allInnerTexts()).toEqual(withTool.map((a: any) => a.toolOutput));
    const files = known.actions.flatMap((a: any) => a.filesWritten.map((f: any) => f.path));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(text).toContain(f);
    // Inputs are collapsed until opened.
    const firstInput = detail.locator('details.input').first();
    expect(await firstInput.evaluate((d) => (d as any).open)).toBe(false);
    await firstInput.locator('summary').click();
    expect(await firstInput.locator('pre').innerText()).toBe(known.actions[0].inputText);
    await page.locator('#episodes').screenshot({ path: join(ARTIFACTS, 'inspector.png') });
  });

  it('opens the episode named in the URL', async () => {
    const known = (await readAllEpisodes(runs[0]!)).find((e) => e.phase === 'eval' && e.step === 1)!;
    const page2 = await context!.newPage();
    try {
      await page2.goto(`${pathToFileURL(reportFile).href}#episode=${encodeURIComponent(`0:${known.id}`)}`);
      await page2.waitForFunction(() => (globalThis as any).__mappaReport?.ready === true);
      const detail = await page2.locator('#episode-detail').innerText();
      expect(detail).toContain(`episode ${known.id}`);
      expect(detail).toContain(known.actions[0].coach.rationale);
    } finally {
      await page2.close();
    }
  });

  it('filters failed or wrong episodes and low-score episodes', async () => {
    const all = (await Promise.all(runs.map((r) => readAllEpisodes(r)))).flat();
    const rows = () => page.locator('#episode-rows tr').count();
    expect(await rows()).toBe(Math.min(200, all.length));
    await page.check('#f-failed');
    const wrong = all.filter((e) => e.error || !e.outcome?.success || e.outcome?.correct === false).length;
    expect(wrong).toBeGreaterThan(0);
    expect(await rows()).toBe(wrong);
    await page.uncheck('#f-failed');
    await page.check('#f-low');
    await page.fill('#f-threshold', '1');
    const low = all.filter((e) => e.actions.some((a: any) => a.coach && a.coach.score <= 1)).length;
    expect(low).toBeGreaterThan(0);
    expect(await rows()).toBe(low);
    await page.uncheck('#f-low');
    expect(await rows()).toBe(all.length);
  });

  it('keeps a full-page screenshot as a test artifact', async () => {
    const file = join(ARTIFACTS, 'report.png');
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    expect(consoleErrors).toEqual([]);
  });
});
