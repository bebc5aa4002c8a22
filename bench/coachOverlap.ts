/**
 * Coach/rollout overlap benchmark (issue 2): with a fake policy of 50 ms per action and a fake coach of 200 ms,
 * 3 agents, 32 episodes, episode concurrency 8 and coach concurrency 16, compare one step's wall time against the
 * rollout-only and coach-only times. Goal: step time within 15% of max(rollout-only, coach-only).
 *
 *   npx tsx bench/coachOverlap.ts [--reps 5] [--coach-concurrency 16]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentSpec } from '../core/contracts/AgentSpec.js';
import { CoachScheduler } from '../core/runner/CoachScheduler.js';
import { EpisodeRunner } from '../core/runner/EpisodeRunner.js';
import { TemplateEngine } from '../core/util/createTemplateEngine.js';
import { silentLogger } from '../core/util/createLogger.js';
import { sampleCoachInput } from '../test/conformance/coachConformance.js';
import { FakeCoach, FakeEnvironment, FakePolicy } from '../test/fakes/testPlugins.js';
import { TINY_DIR } from '../test/fakes/tinyPipeline.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const REPS = arg('reps', 5);
const EPISODES = 32;
const CONCURRENCY = 8;
const COACH_CONCURRENCY = arg('coach-concurrency', 16);
const POLICY_MS = 50;
const COACH_MS = 200;

const agents: AgentSpec[] = ['solver', 'coder', 'verifier'].map((id, i, all) => ({
  id,
  role: id,
  policyId: id,
  promptFile: join(TINY_DIR, 'prompts/agent.liquid'),
  tools: [],
  maxActions: 1,
  reads: i > 0 ? [all[i - 1]!] : [],
  sampling: {},
  coachSeesGroundTruth: i === all.length - 1,
  train: true,
}));

async function step(withCoach: boolean, workRoot: string): Promise<number> {
  const coach = new CoachScheduler(new FakeCoach('action', { latencyMs: COACH_MS }), COACH_CONCURRENCY, silentLogger);
  const runner = new EpisodeRunner({
    environment: new FakeEnvironment(),
    policies: new Map(agents.map((a) => [a.id, new FakePolicy(a.id, { latencyMs: POLICY_MS })])),
    agents,
    templates: new TemplateEngine(),
    coach,
    logger: silentLogger,
    workRoot,
    keepWorkDirs: false,
    toolOutputLimit: 2000,
  });
  const signal = new AbortController().signal;
  const requests = Array.from({ length: EPISODES }, (_, i) => ({
    task: { id: `t${i}`, split: 'train', prompt: `p${i}`, groundTruth: 1, metadata: {} },
    step: 1,
    phase: 'train' as const,
    sampleIndex: 0,
    seed: i,
    coach: withCoach,
    signal,
  }));
  // The same batching code the Runner uses for a training step.
  const t0 = performance.now();
  const episodes = await runner.runBatch(requests, { concurrency: CONCURRENCY });
  const ms = performance.now() - t0;
  if (episodes.length !== EPISODES || (withCoach && episodes.some((e) => e.actions.some((a) => !a.coach)))) throw new Error('benchmark episodes incomplete');
  return ms;
}

async function coachOnly(): Promise<number> {
  const coach = new CoachScheduler(new FakeCoach('action', { latencyMs: COACH_MS }), COACH_CONCURRENCY, silentLogger);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: EPISODES * agents.length }, () => coach.schedule(sampleCoachInput())));
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const workRoot = await mkdtemp(join(tmpdir(), 'mappa-bench-'));
const rows: Array<{ rollout: number; coach: number; step: number; ratio: number }> = [];
try {
  await step(true, workRoot); // warm-up (template parsing, module loading)
  for (let r = 0; r < REPS; r++) {
    const rollout = await step(false, workRoot);
    const coach = await coachOnly();
    const full = await step(true, workRoot);
    rows.push({ rollout, coach, step: full, ratio: full / Math.max(rollout, coach) });
  }
} finally {
  await rm(workRoot, { recursive: true, force: true });
}
const col = (k: keyof (typeof rows)[number]) => rows.map((r) => r[k]);
const fmt = (xs: number[], d = 0) => `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`;
console.log(`episodes ${EPISODES}, agents ${agents.length}, episode concurrency ${CONCURRENCY}, coach concurrency ${COACH_CONCURRENCY}, policy ${POLICY_MS} ms/action, coach ${COACH_MS} ms; ${REPS} reps, median (min–max)`);
console.log(`| rollout-only ms | coach-only ms | step ms | step / max(rollout, coach) |`);
console.log(`|---|---|---|---|`);
console.log(`| ${fmt(col('rollout'))} | ${fmt(col('coach'))} | ${fmt(col('step'))} | ${fmt(col('ratio'), 3)} |`);
console.log(JSON.stringify({ reps: rows }));
