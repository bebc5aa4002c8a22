/**
 * Time per trainer step for 3 agents × 32 actions, split into scoring (old + reference log-probs), advantages and
 * the update, and the share of time spent outside tfjs kernels.
 *
 *   npx tsx bench/trainerStep.ts [--preset tiny|small|medium] [--trainer reinforce++|reinforce++-baseline|grpo]
 *       [--steps 5] [--warmup 2] [--micro 8] [--actions 32] [--agents 3] [--old-logprobs recompute|rollout]
 *       [--factory FILE]
 *
 * `--factory FILE` loads a module exporting `createPolicy({ preset, id, seed }) => Promise<TrainablePolicy>`; the
 * default is the real tfjs-transformer policy (bench/factories/tfjsTransformer.ts); bench/factories/tinyLm.ts is the
 * test model. `--old-logprobs rollout` gives every experience fresh rollout log-probs of the current policy version
 * before each step (scored outside the timed step, as generation would) and lets the trainer reuse them.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { AgentBatch } from '../core/contracts/Trainer.js';
import type { Experience } from '../core/model/Experience.js';
import { Rng } from '../core/util/Rng.js';
import { loadTf } from '../plugins/tfjs/loadTf.js';
import { createGrpoTrainer } from '../plugins/trainers/grpo/grpoTrainerPlugin.js';
import { createReinforcePPBaselineTrainer } from '../plugins/trainers/reinforce-pp/reinforcePPBaselineTrainerPlugin.js';
import { createReinforcePPTrainer } from '../plugins/trainers/reinforce-pp/reinforcePPTrainerPlugin.js';
import type { PolicyGradientTrainer } from '../plugins/trainers/runtime/PolicyGradientTrainer.js';
import { PRESETS, type BenchPolicyFactory, type PresetName } from './trainerStepModels.js';

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'tiny' },
    trainer: { type: 'string', default: 'reinforce++' },
    steps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    micro: { type: 'string', default: '8' },
    actions: { type: 'string', default: '32' },
    agents: { type: 'string', default: '3' },
    factory: { type: 'string' },
    'old-logprobs': { type: 'string', default: 'recompute' },
  },
});
const preset = args.preset as PresetName;
if (!(preset in PRESETS)) throw new Error(`unknown preset ${preset}`);
const shape = PRESETS[preset];
const steps = Number(args.steps);
const warmup = Number(args.warmup);
const nActions = Number(args.actions);
const nAgents = Number(args.agents);
const oldLogprobs = args['old-logprobs'] as 'recompute' | 'rollout';
if (!['recompute', 'rollout'].includes(oldLogprobs)) throw new Error(`--old-logprobs must be recompute or rollout, not ${oldLogprobs}`);
const loadBefore = loadavg();

const { tf, backend } = await loadTf();
const factoryModule = args.factory ? resolve(args.factory) : new URL('./factories/tfjsTransformer.ts', import.meta.url).pathname;
const { createPolicy } = (await import(pathToFileURL(factoryModule).href)) as { createPolicy: BenchPolicyFactory };

const options = { lr: 1e-4, microBatchSize: Number(args.micro), schedule: { type: 'constant' as const, warmupRatio: 0 }, oldLogprobs };
const trainer = (await (args.trainer === 'grpo'
  ? createGrpoTrainer(options)
  : args.trainer === 'reinforce++-baseline'
    ? createReinforcePPBaselineTrainer(options)
    : createReinforcePPTrainer(options))) as PolicyGradientTrainer;

// Contexts and actions of half a preset sequence each, varied by ±25 % so batches carry real padding.
const rng = Rng.fromSeed(1);
const batches: AgentBatch[] = [];
let vocabSize = 0;
for (let a = 0; a < nAgents; a++) {
  const policy = await createPolicy({ preset, id: `agent${a}`, seed: a });
  vocabSize = policy.vocabSize;
  const tokens = (n: number) => Array.from({ length: n }, () => rng.int(2, policy.vocabSize - 1));
  const half = shape.seq / 2;
  const experiences: Experience[] = Array.from({ length: nActions }, (_, i) => ({
    agentId: `agent${a}`,
    policyId: policy.id,
    episodeId: `e${i}`,
    taskId: `t${i % 8}`,
    groupId: `t${i % 8}/agent${a}/0`,
    turnIndex: 0,
    contextIds: tokens(rng.int(Math.ceil(half * 0.75), half)),
    actionIds: tokens(rng.int(Math.ceil(half * 0.75), half)),
    rolloutLogprobs: [],
    reward: rng.next(),
    score: 0,
    truncated: false,
    policyVersion: 0,
    taskMetadata: {},
  }));
  batches.push({ agentId: `agent${a}`, policy, experiences });
}

/** What a fresh rollout would record: the current policy's log-probs of each action, and its version. */
async function refreshRolloutLogprobs(): Promise<void> {
  for (const [i, b] of batches.entries()) {
    const policy = b.policy;
    if (!policy.score) throw new Error('--old-logprobs rollout needs a policy with score()');
    const lp = await policy.score(b.experiences.map((e) => ({ contextIds: e.contextIds, continuationIds: e.actionIds })));
    batches[i] = { ...b, experiences: b.experiences.map((e, j) => ({ ...e, rolloutLogprobs: lp[j]!, policyVersion: policy.version })) };
  }
}

// Time spent inside tfjs kernels: wrap every kernel function registered for the backend (the engine looks the
// config up on each call). Nested kernel calls are counted once; only calls inside timed steps count.
const kernelTime = new Map<string, number>();
let kernelMs = 0;
let kernelCalls = 0;
let depth = 0;
let counting = false;
for (const config of tf.getKernelsForBackend(backend)) {
  const inner = config.kernelFunc;
  (config as { kernelFunc: typeof inner }).kernelFunc = ((...a: Parameters<typeof inner>) => {
    if (depth > 0 || !counting) return inner(...a);
    depth++;
    const t = performance.now();
    try {
      return inner(...a);
    } finally {
      const dt = performance.now() - t;
      depth--;
      kernelMs += dt;
      kernelCalls++;
      kernelTime.set(config.kernelName, (kernelTime.get(config.kernelName) ?? 0) + dt);
    }
  }) as typeof inner;
}

// CPU time as well as wall-clock time: on a shared machine other jobs stretch the wall clock, hardly the CPU time
// (the wasm backend is single-threaded).
const rows: Array<{ total: number; cpu: number; score: number; adv: number; update: number; kernel: number; calls: number }> = [];
for (let s = 1; s <= warmup + steps; s++) {
  if (s === warmup + 1) kernelTime.clear();
  if (oldLogprobs === 'rollout') await refreshRolloutLogprobs();
  const k0 = kernelMs;
  const c0 = kernelCalls;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  counting = true;
  await trainer.step(batches, { step: s, totalSteps: warmup + steps });
  counting = false;
  const total = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const t = trainer.lastTimings;
  if (s > warmup) {
    rows.push({ total, cpu: (cpu.user + cpu.system) / 1000, score: t.scoreMs, adv: t.advantageMs, update: t.updateMs, kernel: kernelMs - k0, calls: kernelCalls - c0 });
  }
}

const stat = (xs: number[], digits = 1) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => +x.toFixed(digits);
  return { median: r(s[Math.floor(s.length / 2)]!), min: r(s[0]!), max: r(s.at(-1)!) };
};
const result = {
  preset,
  model: args.factory ?? 'tfjs-transformer (bench/factories/tfjsTransformer.ts)',
  vocab: vocabSize,
  seq: shape.seq,
  backend,
  trainer: args.trainer,
  oldLogprobs,
  agents: nAgents,
  actionsPerAgent: nActions,
  microBatchSize: options.microBatchSize,
  steps,
  stepMs: stat(rows.map((r) => r.total)),
  stepCpuMs: stat(rows.map((r) => r.cpu)),
  scoreMs: stat(rows.map((r) => r.score)),
  advantageMs: stat(rows.map((r) => r.adv), 2),
  updateMs: stat(rows.map((r) => r.update)),
  kernelMs: stat(rows.map((r) => r.kernel)),
  kernelCallsPerStep: rows[0]!.calls,
  outsideKernelsShare: stat(rows.map((r) => 1 - r.kernel / r.total), 3),
  topKernelsMsPerStep: [...kernelTime]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, ms]) => `${name} ${(ms / steps).toFixed(1)}`),
  loadAverage: { before: loadBefore.map((x) => +x.toFixed(2)), after: loadavg().map((x) => +x.toFixed(2)) },
};
console.log(JSON.stringify(result, null, 2));
trainer.dispose();
for (const b of batches) await b.policy.dispose?.();
