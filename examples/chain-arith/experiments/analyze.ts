/**
 * Reads the credit-assignment runs and writes their tables into docs/credit-assignment.md (between
 * `<!-- generated:ID -->` markers, so the prose around them stays) and the plots into docs/img/.
 *
 *   npx tsx examples/chain-arith/experiments/analyze.ts [--runs DIR] [--seeds 1,2,3] [--target 0.6] [--steps 30] [--blocks ID,…]
 *
 * Runs that are not finished are left out (and listed), so it also works on a sweep that is still going.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadRun, type RunData } from '../../mathchat/experiments/analysis.js';
import { fillBlocks } from '../../mathchat/experiments/report.js';
import { isRunFinished } from '../../mathchat/experiments/runStatus.js';
import { ARMS, runDirName } from './arms.js';
import { buildReport } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: join(here, 'runs') },
    seeds: { type: 'string', default: '1,2,3' },
    target: { type: 'string', default: '0.6' },
    steps: { type: 'string', default: '30' },
    doc: { type: 'string', default: join(root, 'docs/credit-assignment.md') },
    img: { type: 'string', default: join(root, 'docs/img') },
    blocks: { type: 'string' },
  },
});

const seeds = values.seeds.split(',').map(Number);
const runs = new Map<string, RunData[]>();
const missing: string[] = [];
for (const arm of Object.keys(ARMS)) {
  const list: RunData[] = [];
  for (const seed of seeds) {
    const dir = join(resolve(values.runs), runDirName(arm, seed));
    if (!existsSync(dir)) continue;
    if (!(await isRunFinished(dir, Number(values.steps)))) {
      missing.push(`${arm}/seed-${seed}`);
      continue;
    }
    list.push(await loadRun(dir, arm, seed));
  }
  if (list.length) runs.set(arm, list);
}
if (missing.length) console.warn(`not finished (left out): ${missing.join(', ')}`);

const docFile = resolve(values.doc);
const imgDir = resolve(values.img);
const out = await buildReport({ runs, target: Number(values.target), imgPrefix: relative(dirname(docFile), imgDir) || '.' });
await mkdir(imgDir, { recursive: true });
// `--blocks noise,hindsight` rewrites only those tables and their plots, so sections whose runs are not on this
// machine keep what an earlier analysis wrote.
const only = values.blocks ? new Set(values.blocks.split(',')) : null;
const blockOfPlot = (name: string) => {
  const id = name.replace(/^credit-|\.svg$/g, '');
  return id in out.blocks ? id : 'chain-length'; // credit-chain-ratio.svg, credit-chain-k<k>.svg
};
const blocks = Object.fromEntries(Object.entries(out.blocks).filter(([id]) => !only || only.has(id)));
const plots = Object.entries(out.plots).filter(([name]) => !only || only.has(blockOfPlot(name)));
for (const [name, svg] of plots) await writeFile(join(imgDir, name), svg);
const doc = existsSync(docFile) ? await readFile(docFile, 'utf8') : '# Credit assignment\n';
await writeFile(docFile, fillBlocks(doc, blocks));
console.log(JSON.stringify(out.summary, null, 1));
console.log(`wrote ${Object.keys(blocks).join(', ')} in ${docFile} and ${plots.length} plots in ${imgDir}`);
