import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
const dir = mkdtempSync('/tmp/pwud-');
const file = process.argv[2]; const out = process.argv[3];
const ctx = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, viewport: {width: 1400, height: 900}, args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await ctx.newPage();
page.on('console', m => console.log('console', m.type(), m.text()));
page.on('pageerror', e => console.log('pageerror', e.message));
await page.goto('file://' + file);
await page.waitForFunction(() => window.__mappaReport && window.__mappaReport.ready);
if (process.argv[4]) { await page.click('#episode-rows tr:nth-child(' + process.argv[4] + ')'); }
const h = await page.evaluate(() => document.documentElement.scrollHeight);
console.log('height', h);
for (let y = 0, i = 0; y < h; y += 1300, i++) await page.screenshot({ path: out.replace('.png', `-${i}.png`), fullPage: true, clip: { x: 0, y, width: 1400, height: Math.min(1300, h - y) } });
await ctx.close();
