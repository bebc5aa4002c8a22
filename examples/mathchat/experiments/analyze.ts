/**
 * Reads the experiment runs and writes their tables into docs/mathchat-experiments.md (between
 * `<!-- generated:ID -->` markers, so the prose around them stays) and the plots into docs/img/.
 *
 *   npx tsx examples/mathchat/experiments/analyze.ts [--runs DIR] [--seeds 1,2,3] [--target 0.6]
 *                                                   [--doc docs/mathchat-experiments.md] [--img docs/img]
 *
 * Missing runs are left out (and listed), so it also works on a sweep that is still going.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ARMS, type ArmId, runDirName } from './arms.js';
import { loadRun, type RunData } from './analysis.js';
import { buildReport, fillBlocks } from './report.js';
import { isRunFinished } from './runStatus.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: join(here, 'runs') },
    seeds: { type: 'string', default: '1,2,3' },
    target: { type: 'string' },
    steps: { type: 'string', default: '40' },
    doc: { type: 'string', default: join(root, 'docs/mathchat-experiments.md') },
    img: { type: 'string', default: join(root, 'docs/img') },
  },
});

const seeds = values.seeds.split(',').map(Number);
const runs = new Map<string, RunData[]>();
const missing: string[] = [];
for (const arm of Object.keys(ARMS) as ArmId[]) {
  const list: RunData[] = [];
  for (const seed of seeds) {
    const dir = join(resolve(values.runs), runDirName(arm, seed));
    if (!(await isRunFinished(dir, Number(values.steps)))) {
      missing.push(`${arm}/seed-${seed}`);
      continue;
    }
    list.push(await loadRun(dir, arm, seed));
  }
  runs.set(arm, list);
}
if (missing.length) console.warn(`not finished (left out): ${missing.join(', ')}`);

const docFile = resolve(values.doc);
const imgDir = resolve(values.img);
const out = await buildReport({
  runs,
  labels: Object.fromEntries(Object.values(ARMS).map((a) => [a.id, a.id])),
  ...(values.target !== undefined ? { target: Number(values.target) } : {}),
  imgPrefix: relative(dirname(docFile), imgDir) || '.',
});
await mkdir(imgDir, { recursive: true });
for (const [name, svg] of Object.entries(out.plots)) await writeFile(join(imgDir, name), svg);
const doc = existsSync(docFile) ? await readFile(docFile, 'utf8') : '# MathChat experiments\n';
await writeFile(docFile, fillBlocks(doc, out.blocks));
console.log(`wrote ${docFile} and ${Object.keys(out.plots).length} plots in ${imgDir}`);
