/**
 * How fast `mappa export` turns a large run into files, and how big they are.
 *
 *   npx tsx bench/exportBench.ts [--steps 20] [--episodes 32] [--reps 3]
 *
 * The run is synthetic (test/report/syntheticRun.ts): 3 agents × 2 actions per episode, 2,000-character inputs,
 * 256 context ids, 256 action ids and log-probs per action. Formats: mappa-rl JSONL, mappa-rl Parquet,
 * trl-prompt-completion (conversational rebuild) and verl (Parquet with nested columns).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Exporter } from '../core/contracts/Exporter.js';
import { createMappaRlExporter } from '../plugins/exporters/mappa-rl/mappaRl.js';
import { exportRun } from '../plugins/exporters/shared/exportRun.js';
import { createTrlPromptCompletionExporter } from '../plugins/exporters/trl-prompt-completion/trlPromptCompletion.js';
import { createVerlExporter } from '../plugins/exporters/verl/verl.js';
import { writeSyntheticRun } from '../test/report/syntheticRun.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '20' }, episodes: { type: 'string', default: '32' }, reps: { type: 'string', default: '3' } } });
const steps = Number(values.steps);
const perStep = Number(values.episodes);
const reps = Number(values.reps);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const dir = await mkdtemp(join(tmpdir(), 'mappa-export-bench-'));
try {
  await writeSyntheticRun(dir, { steps, episodesPerStep: perStep });
  const formats: Array<[string, () => Exporter]> = [
    ['mappa-rl (JSONL)', () => createMappaRlExporter()],
    ['mappa-rl (Parquet)', () => createMappaRlExporter({ parquet: true })],
    ['trl-prompt-completion', () => createTrlPromptCompletionExporter()],
    ['verl (Parquet)', () => createVerlExporter()],
  ];
  console.log(`synthetic run: ${steps} steps × ${perStep} episodes × 6 actions = ${steps * perStep * 6} actions; ${reps} reps per format (interleaved)`);
  const times = new Map<string, number[]>(formats.map(([n]) => [n, []]));
  const sizes = new Map<string, number>();
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, make] of formats) {
      const out = join(dir, `out-${rep}-${name.replace(/\W+/g, '-')}`);
      const t0 = performance.now();
      const result = await exportRun({ runDir: dir, outDir: out, exporter: make() });
      times.get(name)!.push(performance.now() - t0);
      sizes.set(name, (await Promise.all(result.files.map((f) => stat(f.path)))).reduce((s, x) => s + x.size, 0));
      await rm(out, { recursive: true, force: true });
    }
  }
  const actions = steps * perStep * 6;
  for (const [name, xs] of times) {
    const m = median(xs);
    console.log(
      `${name.padEnd(24)} median ${m.toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}), ${(actions / (m / 1000)).toFixed(0)} actions/s, ${(sizes.get(name)! / 1e6).toFixed(1)} MB`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
