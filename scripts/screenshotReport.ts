/**
 * Screenshots of a run report for the docs: the whole page, and the episode inspector with the first episode open.
 *
 *   npx tsx scripts/screenshotReport.ts RUN_DIR/report.html OUT_PREFIX    # → OUT_PREFIX.png, OUT_PREFIX-inspector.png
 *
 * Uses Debian's chromium (`apt-get install chromium`) through playwright-core, offline: any request that leaves
 * file:// is counted and fails the script, which is also a check that the report is self-contained.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [reportArg, outArg] = process.argv.slice(2);
if (!reportArg || !outArg) {
  console.error('usage: npx tsx scripts/screenshotReport.ts REPORT.html OUT_PREFIX');
  process.exit(2);
}
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.error(`${chromiumPath} not found: apt-get install -y chromium (or set CHROMIUM=/path/to/chromium)`);
  process.exit(2);
}
const userDataDir = await mkdtemp(join(tmpdir(), 'mappa-shot-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: chromiumPath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  viewport: { width: 1400, height: 900 },
});
const errors: string[] = [];
const outside: string[] = [];
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(resolve(reportArg)).href);
  await page.waitForFunction(() => (globalThis as any).__mappaReport?.ready === true, undefined, { timeout: 60_000 });
  await page.screenshot({ path: `${outArg}.png`, fullPage: true });
  // Open the first training episode (those carry the coach's scores and rationales), as a reader would.
  await page.selectOption('#f-phase', 'train');
  const rows = page.locator('#episode-rows tr[data-episode]');
  if ((await rows.count()) > 0) {
    await rows.first().scrollIntoViewIfNeeded();
    await rows.first().click();
  }
  await page.locator('#episodes').screenshot({ path: `${outArg}-inspector.png` });
} finally {
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}
if (errors.length || outside.length) {
  console.error(`console errors: ${errors.length} ${errors.join(' | ')}; outside requests: ${outside.join(', ')}`);
  process.exit(1);
}
console.log(`wrote ${outArg}.png and ${outArg}-inspector.png`);
