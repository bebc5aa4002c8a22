/**
 * Before/after figures of calculator-tool runs, from their run directories:
 *
 *   npx tsx examples/tools/beforeAfter.ts runs/tools-calculator-A runs/tools-calculator-B ...
 *
 * Per run and evaluation step: accuracy (the environment's ANSWER check), tool-call validity (share of function calls
 * that parsed, named a known tool and matched its schema), call rate (share of episodes whose first action made a
 * valid call), the share whose first call computed the task's own expression and the share of the task's numbers
 * (a, b, c of `a*b+c`) its valid first calls copied exactly — copying shows up there before it shows up in accuracy. Then the mean over runs.
 */
import { readFile } from 'node:fs/promises';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { toolCallFacts } from '../../core/tools/toolCallFacts.js';
import { readRunDir } from '../../plugins/exporters/report/readRunDir.js';

interface Row {
  readonly run: string;
  readonly step: number;
  readonly accuracy: number;
  readonly validRate: number;
  readonly callRate: number;
  readonly rightCall: number;
  /** Share of the task's three numbers (a, b, c of `a*b+c`) copied exactly into the first action's valid calls. */
  readonly operands: number;
  /** The final answer repeats the last successful tool result. */
  readonly faithful: number;
  readonly episodes: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pct = (x: number) => (Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)}%`);

const rows: Row[] = [];
for (const dir of process.argv.slice(2)) {
  const run = await readRunDir(dir);
  for (const f of run.episodeFiles.filter((e) => e.phase === 'eval')) {
    const episodes = (await readFile(f.path, 'utf8'))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as EpisodeRecord);
    const calls = episodes.flatMap((e) => e.actions.flatMap((a) => toolCallFacts(a).calls));
    const first = episodes.map((e) => (e.actions[0] ? toolCallFacts(e.actions[0]).calls : []));
    rows.push({
      run: run.dir.split('/').slice(-2).join('/'),
      step: f.step,
      accuracy: mean(episodes.map((e) => (e.outcome?.correct ? 1 : 0))),
      validRate: calls.length ? mean(calls.map((c) => (c.valid ? 1 : 0))) : Number.NaN,
      callRate: mean(first.map((cs) => (cs.some((c) => c.valid) ? 1 : 0))),
      rightCall: mean(first.map((cs, i) => (cs.some((c) => c.ok && c.arguments?.['expression'] === episodes[i]!.taskMetadata['expression']) ? 1 : 0))),
      operands: mean(
        first.flatMap((cs, i) =>
          cs
            .filter((c) => c.valid && typeof c.arguments?.['expression'] === 'string')
            .map((c) => {
              const want = String(episodes[i]!.taskMetadata['expression']).split(/[*+]/);
              const got = String(c.arguments!['expression']).split(/[*+]/);
              return mean(want.map((w, k) => (got[k] === w ? 1 : 0)));
            }),
        ),
      ),
      faithful: mean(
        episodes.map((e) => {
          const last = e.actions.flatMap((a) => toolCallFacts(a).calls).filter((c) => c.ok).at(-1)?.output;
          return last !== undefined && e.outcome?.answer !== undefined && e.outcome.answer === last ? 1 : 0;
        }),
      ),
      episodes: episodes.length,
    });
  }
}
console.log("| run | eval step | episodes | accuracy | tool-call validity | valid call in first action | call with the task's expression | numbers copied into the call | answer repeats the tool result |");
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.run} | ${r.step} | ${r.episodes} | ${pct(r.accuracy)} | ${pct(r.validRate)} | ${pct(r.callRate)} | ${pct(r.rightCall)} | ${pct(r.operands)} | ${pct(r.faithful)} |`);
const byRun = new Map<string, Row[]>();
for (const r of rows) byRun.set(r.run, [...(byRun.get(r.run) ?? []), r]);
const firsts = [...byRun.values()].map((rs) => rs.reduce((a, b) => (a.step <= b.step ? a : b)));
const lasts = [...byRun.values()].map((rs) => rs.reduce((a, b) => (a.step >= b.step ? a : b)));
console.log(`\nmean over ${byRun.size} run(s), first → last evaluation:`);
for (const [name, key] of [['accuracy', 'accuracy'], ['tool-call validity', 'validRate'], ['valid call in first action', 'callRate'], ["call with the task's expression", 'rightCall'], ['numbers copied into the call', 'operands'], ['answer repeats the tool result', 'faithful']] as const) {
  console.log(`  ${name}: ${pct(mean(firsts.map((r) => r[key])))} → ${pct(mean(lasts.map((r) => r[key])))}`);
}
