/**
 * LoRA vs full fine-tuning on the tfjs-transformer: REINFORCE++ train-step time for 3 agents, and tensor memory.
 *
 *   npx tsx bench/loraVsFull.ts [--preset small|medium] [--reps 3] [--steps 3] [--warmup 1] [--r 8] [--actions 32]
 *       [--memory false]
 *
 * Every measurement runs in its own child process (so memory figures are not mixed), and the reps interleave the
 * arms (full, lora, lora, full, …) so machine load hits both alike. Per arm:
 *   - `full3`: 3 agents, each its own full model (time);
 *   - `lora3`: 3 agents, each a LoRA adapter (r, all seven targets) on one shared base (time and memory);
 *   - `full1`: 1 agent with a full model (memory: the goal compares 3 LoRA agents with ONE full model).
 * Memory is tfjs's tensor bytes (`tf.memory()`): resident = weights, Adam moments, KL reference and the generation
 * weights after a step; peak = `tf.profile`'s peakBytes during a step. Step time is wall clock (median per process;
 * across processes: median, min, max) plus CPU time (less sensitive to other jobs on a shared machine).
 * `--memory false` times the steps only: no profiled step per process and no `full1` arm (a step-time rerun costs a
 * third less on the medium preset).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AgentBatch } from '../core/contracts/Trainer.js';
import type { Experience } from '../core/model/Experience.js';
import { Rng } from '../core/util/Rng.js';
import { createTfjsTransformerPolicy } from '../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { TfjsTransformerPolicy } from '../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';
import { loadTf } from '../plugins/tfjs/loadTf.js';
import { createReinforcePPTrainer } from '../plugins/trainers/reinforce-pp/reinforcePPTrainerPlugin.js';
import { PRESETS, type PresetName } from './trainerStepModels.js';

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'small' },
    reps: { type: 'string', default: '3' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    r: { type: 'string', default: '8' },
    actions: { type: 'string', default: '32' },
    micro: { type: 'string', default: '8' },
    memory: { type: 'string', default: 'true' },
    worker: { type: 'string' },
  },
});
const preset = args.preset as PresetName;
if (!(preset in PRESETS)) throw new Error(`unknown preset ${preset}`);

type Arm = 'full3' | 'lora3' | 'full1';
interface WorkerResult {
  arm: Arm;
  stepMs: number[];
  cpuMs: number[];
  residentBytes: number;
  peakBytes: number;
  baseBytes: number;
  trainableParams: number;
}

async function worker(arm: Arm): Promise<WorkerResult> {
  const { tf } = await loadTf();
  const agents = arm === 'full1' ? 1 : 3;
  const r = Number(args.r);
  const policies: TfjsTransformerPolicy[] = [];
  for (let a = 0; a < agents; a++) {
    policies.push(
      await createTfjsTransformerPolicy(
        arm === 'lora3'
          ? { preset, id: `agent${a}`, seed: 0, base: 'bench', lora: { r, alpha: 2 * r, seed: a } }
          : { preset, id: `agent${a}`, seed: a },
      ),
    );
  }
  const trainer = await createReinforcePPTrainer({ lr: 1e-4, microBatchSize: Number(args.micro), schedule: { type: 'constant', warmupRatio: 0 } });
  const rng = Rng.fromSeed(1);
  const half = PRESETS[preset].seq / 2;
  const batches: AgentBatch[] = policies.map((policy, a) => {
    const tokens = (n: number) => Array.from({ length: n }, () => rng.int(2, policy.vocabSize - 1));
    const experiences: Experience[] = Array.from({ length: Number(args.actions) }, (_, i) => ({
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
    return { agentId: `agent${a}`, policy, experiences };
  });
  // What generation would build between steps: every policy's inference weights.
  const rollout = () => Promise.all(policies.map((p) => p.score([{ contextIds: [1, 2, 3], continuationIds: [4] }])));
  await rollout();
  const stepMs: number[] = [];
  const cpuMs: number[] = [];
  const warmup = Number(args.warmup);
  const steps = Number(args.steps);
  for (let s = 1; s <= warmup + steps; s++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await trainer.step(batches, { step: s, totalSteps: warmup + steps + 1 });
    const dt = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (s > warmup) {
      stepMs.push(dt);
      cpuMs.push((cpu.user + cpu.system) / 1000);
    }
    await rollout();
  }
  // One more (untimed) step under tf.profile for the peak.
  let peakBytes = 0;
  if (args.memory !== 'false') {
    const prof = await tf.profile(async () => {
      await trainer.step(batches, { step: warmup + steps + 1, totalSteps: warmup + steps + 1 });
    });
    peakBytes = prof.peakBytes;
    await rollout();
  }
  const residentBytes = tf.memory().numBytes;
  const trainableParams = policies.reduce((n, p) => n + [...p.variables().values()].reduce((m, v) => m + v.size, 0), 0);
  const baseBytes = arm === 'lora3' ? policies[0]!.lora!.base.bytes : [...policies[0]!.variables().values()].reduce((m, v) => m + v.size * 4, 0);
  await trainer.dispose?.();
  return { arm, stepMs, cpuMs, residentBytes, peakBytes, baseBytes, trainableParams };
}

function runWorker(arm: Arm): Promise<WorkerResult> {
  return new Promise((done, fail) => {
    const self = fileURLToPath(import.meta.url);
    const pass = ['preset', 'steps', 'warmup', 'r', 'actions', 'micro', 'memory'].flatMap((k) => [`--${k}`, String(args[k as keyof typeof args])]);
    const child = spawn(process.execPath, ['--import', 'tsx', self, '--worker', arm, ...pass], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done(JSON.parse(out.trim().split('\n').at(-1)!) as WorkerResult) : fail(new Error(`worker ${arm} exited with ${code}`))));
  });
}

if (args.worker) {
  console.log(JSON.stringify(await worker(args.worker as Arm)));
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const loadBefore = loadavg();
const reps = Number(args.reps);
const results: Record<Arm, WorkerResult[]> = { full3: [], lora3: [], full1: [] };
for (let rep = 0; rep < reps; rep++) {
  const order: Arm[] = rep % 2 === 0 ? ['full3', 'lora3'] : ['lora3', 'full3'];
  for (const arm of order) {
    process.stderr.write(`rep ${rep + 1}/${reps}: ${arm}\n`);
    results[arm].push(await runWorker(arm));
  }
}
const memory = args.memory !== 'false';
if (memory) results.full1.push(await runWorker('full1'));
const summary = (arm: Arm, key: 'stepMs' | 'cpuMs') => {
  const per = results[arm].map((r) => median(r[key]));
  return { median: Math.round(median(per)), min: Math.round(Math.min(...per)), max: Math.round(Math.max(...per)) };
};
const mb = (b: number) => +(b / 2 ** 20).toFixed(2);
const lora = results.lora3[0]!;
const full1 = results.full1[0];
const full3 = results.full3[0]!;
console.log(
  JSON.stringify(
    {
      preset,
      r: Number(args.r),
      agents: 3,
      actionsPerAgent: Number(args.actions),
      reps,
      stepsPerRep: Number(args.steps),
      stepMs: { full3: summary('full3', 'stepMs'), lora3: summary('lora3', 'stepMs') },
      stepCpuMs: { full3: summary('full3', 'cpuMs'), lora3: summary('lora3', 'cpuMs') },
      loraStepOverFull: +(median(results.lora3.map((r) => median(r.stepMs))) / median(results.full3.map((r) => median(r.stepMs)))).toFixed(3),
      loraCpuOverFull: +(median(results.lora3.map((r) => median(r.cpuMs))) / median(results.full3.map((r) => median(r.cpuMs)))).toFixed(3),
      perRepCpuMs: { full3: results.full3.map((r) => Math.round(median(r.cpuMs))), lora3: results.lora3.map((r) => Math.round(median(r.cpuMs))) },
      ...(memory && full1
        ? {
            memoryMiB: {
              baseWeights: mb(lora.baseBytes),
              lora3: { resident: mb(lora.residentBytes), peak: mb(lora.peakBytes) },
              full1: { resident: mb(full1.residentBytes), peak: mb(full1.peakBytes) },
              full3: { resident: mb(full3.residentBytes), peak: mb(full3.peakBytes) },
            },
            lora3OverFull1: { resident: +(lora.residentBytes / full1.residentBytes).toFixed(3), peak: +(lora.peakBytes / full1.peakBytes).toFixed(3) },
          }
        : {}),
      trainableParams: { lora3: lora.trainableParams, full3: full3.trainableParams },
      loadAverage: { before: loadBefore.map((x) => +x.toFixed(2)), after: loadavg().map((x) => +x.toFixed(2)) },
    },
    null,
    2,
  ),
);
