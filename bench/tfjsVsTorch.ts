/**
 * tfjs-transformer vs the PyTorch CPU reference (`shared/bench/torch_reference.py`), side by side, interleaved.
 *
 *   npx tsx bench/tfjsVsTorch.ts [--presets tiny,small,medium] [--reps 3] [--steps 20] [--warmup 3] [--sample-reps 5]
 *                                [--torch-threads N] [--torch /path/to/torch_reference.py] [--out bench/results/tfjs-vs-torch.md]
 *                                [--profile small] [--arms torch,wasm,native]
 *
 * Same work as the reference: (a) train step = forward over B×T, masked next-token cross-entropy, backward, Adam
 * (lr 1e-3); (b) KV-cache sampling at temperature 1 of N new tokens for B prompts of P tokens (through the policy's
 * batching engine: B concurrent generate calls); (c) forward-only scoring of next-token log-probs over B×T.
 * When the OpenBLAS matmul addon is installed (docs/tfjs-policy.md#native-matmul), tfjs runs twice per repetition, with
 * tfjs's own wasm BatchMatMul and with the native one (`--arms` picks a subset); all arms are interleaved.
 * `--profile PRESET` prints per-kernel times of one train step and one decode step (tf.profile) and exits.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type * as TF from '@tensorflow/tfjs-core';
import { Rng } from '../core/util/Rng.js';
import { loadTf } from '../plugins/tfjs/loadTf.js';
import type { Tf } from '../plugins/tfjs/loadTf.js';
import { findMatmulAddon, installNativeMatmul, nativeMatmulMode, useNativeMatmul } from '../plugins/tfjs/nativeMatmul.js';
import { nextTokenLogprobs } from '../plugins/policies/tfjs-transformer/nextTokenLogprobs.js';
import { Adam } from '../plugins/trainers/runtime/Adam.js';
import { PRESET_NAMES, presetConfig } from '../plugins/policies/tfjs-transformer/presets.js';
import type { PresetName } from '../plugins/policies/tfjs-transformer/presets.js';
import { scratchTokenizerFiles } from '../plugins/policies/tfjs-transformer/scratchTokenizer.js';
import { TextTokenizer } from '../plugins/policies/tfjs-transformer/TextTokenizer.js';
import { TfjsTransformerPolicy } from '../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The reference's workload per preset (model shape + B, T); prompt P = T/2, new tokens N = T/2. */
const WORKLOAD: Record<PresetName, { vocab: number; batch: number; seq: number }> = {
  tiny: { vocab: 64, batch: 16, seq: 32 },
  small: { vocab: 512, batch: 16, seq: 64 },
  medium: { vocab: 2048, batch: 8, seq: 128 },
};

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function findTorchReference(): string {
  const explicit = arg('torch');
  if (explicit) return explicit;
  for (const c of [join(root, '..', 'shared'), join(root, '..', '..', 'shared')]) {
    const f = join(c, 'bench', 'torch_reference.py');
    if (existsSync(f)) return f;
  }
  throw new Error('torch_reference.py not found next to the checkout; pass --torch PATH');
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

interface Figures {
  trainMs: number;
  sampleTokS: number;
  sampleMs: number;
  prefillMs?: number;
  scoreMs: number;
  lossFirst?: number;
  lossLast?: number;
}

async function runTorch(script: string, preset: PresetName, o: { steps: number; warmup: number; sampleReps: number; threads?: string }): Promise<Figures> {
  const args = [script, '--preset', preset, '--steps', String(o.steps), '--warmup', String(o.warmup), '--sample-reps', String(o.sampleReps)];
  if (o.threads) args.push('--threads', o.threads);
  const { stdout } = await promisify(execFile)('/usr/bin/python3', args, { maxBuffer: 1 << 20 });
  const j = JSON.parse(stdout.trim().split('\n').pop() as string) as {
    train: { median_ms: number; loss_first: number; loss_last: number };
    sample: { tokens_per_s: number; median_ms: number; prefill_ms: number };
    score: { median_ms: number };
  };
  return {
    trainMs: j.train.median_ms,
    sampleTokS: j.sample.tokens_per_s,
    sampleMs: j.sample.median_ms,
    prefillMs: j.sample.prefill_ms,
    scoreMs: j.score.median_ms,
    lossFirst: j.train.loss_first,
    lossLast: j.train.loss_last,
  };
}

async function buildPolicy(preset: PresetName, seq: number) {
  const { tf, backend } = await loadTf();
  const w = WORKLOAD[preset];
  const tokenizer = new TextTokenizer(scratchTokenizerFiles('byte'), 'bench');
  const config = presetConfig(preset, w.vocab, { maxPositions: Math.max(seq * 2, 256) });
  const policy = new TfjsTransformerPolicy({
    id: `bench-${preset}`,
    tf,
    backend,
    config,
    tokenizer,
    weights: new Map(),
    generation: { eosTokenIds: [] },
    sampling: { temperature: 1, topP: 1, topK: 0, maxNewTokens: seq, stopStrings: [] },
    maxContextLength: Math.max(seq * 2, 256),
    maxBatchSize: 64,
    scoreBatchTokens: 1 << 20,
    saveDtype: 'float32',
  });
  for (const [name, v] of policy.model.initWeights(0)) (policy.variables() as Map<string, TF.Variable>).set(name, v);
  return { tf, policy };
}

/**
 * One optimizer step as the trainers take it: gradients of `loss` for every variable, then the trainers' Adam
 * (`plugins/trainers/runtime/Adam.ts`, lr 1e-3; fused into one kernel per parameter on the native path). Returns the loss.
 */
function adamStep(tf: Tf, policy: TfjsTransformerPolicy): ((loss: () => TF.Scalar) => number) & { dispose(): void } {
  const params = policy.variables();
  const adam = new Adam(tf, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  const step = (loss: () => TF.Scalar) => {
    const { value, grads } = tf.variableGrads(loss, [...params.values()]);
    const byName = new Map<string, TF.Tensor>();
    for (const [name, v] of params) byName.set(name, grads[v.name] as TF.Tensor);
    adam.apply(params, byName, 1e-3);
    const out = value.dataSync()[0] as number;
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  };
  return Object.assign(step, { dispose: () => adam.dispose() });
}

function randomIds(rng: Rng, n: number, vocab: number): number[] {
  return Array.from({ length: n }, () => rng.int(0, vocab - 1));
}

async function runOurs(preset: PresetName, o: { steps: number; warmup: number; sampleReps: number }): Promise<Figures> {
  const w = WORKLOAD[preset];
  const { tf, policy } = await buildPolicy(preset, w.seq);
  const rng = Rng.fromSeed(1);
  const B = w.batch;
  const T = w.seq;
  const tokens = tf.tensor2d(randomIds(rng, B * T, w.vocab), [B, T], 'int32');
  const ones = tf.ones([B, T]) as TF.Tensor2D;
  const mask = tf.ones([B, T - 1]);
  const opt = adamStep(tf, policy);
  const losses: number[] = [];
  const trainStep = () => {
    const loss = opt(() => tf.neg(tf.div(tf.sum(tf.mul(nextTokenLogprobs(tf, policy.forward(tokens, ones), tokens), mask)), tf.sum(mask))) as TF.Scalar);
    losses.push(loss);
  };
  const timeIt = (fn: () => void) => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  for (let i = 0; i < o.warmup; i++) trainStep();
  const trainTimes: number[] = [];
  for (let i = 0; i < o.steps; i++) trainTimes.push(timeIt(trainStep));
  policy.markUpdated();

  const P = T / 2;
  const N = T / 2;
  const prompts = Array.from({ length: B }, () => randomIds(rng, P, w.vocab));
  let seed = 0;
  const generateAll = () =>
    Promise.all(prompts.map((contextIds) => policy.generateFromIds({ contextIds, seed: seed++, sampling: { maxNewTokens: N, temperature: 1 }, ignoreEos: true })));
  const first = await generateAll();
  if (first.some((g) => g.tokenIds.length !== N)) throw new Error('sampling produced the wrong number of tokens');
  const sampleTimes: number[] = [];
  for (let i = 0; i < o.sampleReps; i++) {
    const t0 = performance.now();
    await generateAll();
    sampleTimes.push(performance.now() - t0);
  }

  const seqs = await tokens.array();
  const requests = seqs.map((s) => ({ contextIds: s.slice(0, 1), continuationIds: s.slice(1) }));
  for (let i = 0; i < o.warmup; i++) await policy.score(requests);
  const scoreTimes: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const t0 = performance.now();
    await policy.score(requests);
    scoreTimes.push(performance.now() - t0);
  }
  tf.dispose([tokens, ones, mask]);
  opt.dispose();
  policy.dispose();
  const sampleMs = median(sampleTimes);
  return {
    trainMs: median(trainTimes),
    sampleTokS: (B * N) / (sampleMs / 1000),
    sampleMs,
    scoreMs: median(scoreTimes),
    lossFirst: losses[0] as number,
    lossLast: losses[losses.length - 1] as number,
  };
}

async function profile(preset: PresetName): Promise<void> {
  const w = WORKLOAD[preset];
  const { tf, policy } = await buildPolicy(preset, w.seq);
  const rng = Rng.fromSeed(1);
  const tokens = tf.tensor2d(randomIds(rng, w.batch * w.seq, w.vocab), [w.batch, w.seq], 'int32');
  const ones = tf.ones([w.batch, w.seq]) as TF.Tensor2D;
  const opt = adamStep(tf, policy);
  const step = () => opt(() => tf.neg(tf.mean(nextTokenLogprobs(tf, policy.forward(tokens, ones), tokens))) as TF.Scalar);
  step();
  step();
  const report = async (label: string, fn: () => unknown) => {
    const t = performance.now();
    const info = await tf.profile(fn as () => TF.Tensor);
    const wall = performance.now() - t;
    const byKernel = new Map<string, { ms: number; n: number }>();
    let total = 0;
    // Custom-gradient wrappers are profiled as kernels named `forward` whose time includes the kernels inside them.
    let leaf = 0;
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      if (k.name !== 'forward') leaf += ms;
      const key = `${k.name} ${k.name === 'BatchMatMul' || k.name === 'Transpose' ? JSON.stringify(k.inputShapes) : ''}`.trim();
      const e = byKernel.get(key) ?? { ms: 0, n: 0 };
      e.ms += ms;
      e.n++;
      byKernel.set(key, e);
      total += ms;
    }
    console.log(`\n## ${label}: ${info.kernels.length} kernels, ${total.toFixed(1)} ms in kernels`);
    console.log(`profiled wall time ${wall.toFixed(1)} ms, leaf kernels ${leaf.toFixed(1)} ms: ${(100 * (1 - leaf / wall)).toFixed(1)}% outside kernels`);
    for (const [k, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`${e.ms.toFixed(2).padStart(8)} ms  ${String(e.n).padStart(4)}×  ${k}`);
  };
  const t0 = performance.now();
  step();
  console.log(`train step wall time ${(performance.now() - t0).toFixed(1)} ms`);
  await report(`${preset} train step`, step);
  const prompts = Array.from({ length: w.batch }, () => randomIds(rng, w.seq / 2, w.vocab));
  const gen = () => Promise.all(prompts.map((contextIds, i) => policy.generateFromIds({ contextIds, seed: i, sampling: { maxNewTokens: w.seq / 2 }, ignoreEos: true })));
  await gen();
  const t1 = performance.now();
  await gen();
  const genMs = performance.now() - t1;
  console.log(`\ngeneration wall time ${genMs.toFixed(1)} ms (${((w.batch * w.seq) / 2 / (genMs / 1000)).toFixed(0)} tok/s), decode steps ${policy.generationStats.steps}`);
  const info = await tf.profile(async () => {
    await gen();
    return tf.scalar(0);
  });
  let total = 0;
  const byKernel = new Map<string, number>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    total += ms;
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
  }
  console.log(`## generation: ${info.kernels.length} kernels, ${total.toFixed(1)} ms in kernels`);
  for (const [k, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${ms.toFixed(2).padStart(8)} ms  ${k}`);
  policy.dispose();
}

const fmt = (x: number, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const spread = (xs: number[], d = 1) => `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}`;

type Arm = 'torch' | 'wasm' | 'native';

async function main(): Promise<void> {
  const profilePreset = arg('profile');
  if (profilePreset) return profile(profilePreset as PresetName);
  const presets = (arg('presets', PRESET_NAMES.join(',')) as string).split(',') as PresetName[];
  const reps = Number(arg('reps', '3'));
  const o = { steps: Number(arg('steps', '20')), warmup: Number(arg('warmup', '3')), sampleReps: Number(arg('sample-reps', '5')) };
  const torchThreads = arg('torch-threads');
  const script = findTorchReference();
  const loaded = await loadTf();
  const { tf, backend, source } = loaded;
  // The native kernel is opt-in; when its addon is built, the bench installs it to compare both kernels.
  const matmul = loaded.matmul.path !== 'openblas' && backend === 'wasm' && findMatmulAddon() && nativeMatmulMode() !== 'off'
    ? installNativeMatmul(tf, 'wasm', { MAPPA_NATIVE_MATMUL: '1' })
    : loaded.matmul;
  // With the OpenBLAS matmul installed, tfjs runs twice per repetition: tfjs's own wasm kernel and the native one.
  const arms: Arm[] = (arg('arms') ?? (matmul.path === 'openblas' ? 'torch,wasm,native' : 'torch,wasm')).split(',') as Arm[];
  if (arms.includes('native') && matmul.path !== 'openblas') throw new Error(`--arms native needs the OpenBLAS matmul (${matmul.detail})`);
  const results = new Map<PresetName, Record<Arm, Figures[]>>();
  for (let rep = 1; rep <= reps; rep++) {
    for (const preset of presets) {
      const r = results.get(preset) ?? { torch: [], wasm: [], native: [] };
      results.set(preset, r);
      // Rotate which arm goes first so slow phases of a shared machine hit all of them.
      const order = arms.map((_, i) => arms[(i + rep) % arms.length]!);
      for (const side of order) {
        if (side === 'torch') r.torch.push(await runTorch(script, preset, { ...o, ...(torchThreads ? { threads: torchThreads } : {}) }));
        else {
          if (matmul.path === 'openblas') useNativeMatmul(tf, side === 'native');
          r[side].push(await runOurs(preset, o));
        }
        const last = r[side].at(-1)!;
        process.stderr.write(`rep ${rep} ${preset} ${side}: train ${fmt(last.trainMs)} ms, sample ${fmt(last.sampleTokS, 0)} tok/s, score ${fmt(last.scoreMs)} ms\n`);
      }
    }
  }
  const ours = arms.filter((a): a is 'wasm' | 'native' => a !== 'torch');
  const label = (a: Arm) => (a === 'native' ? 'tfjs + OpenBLAS matmul' : a === 'wasm' ? 'tfjs wasm' : 'torch');
  const lines = [
    `tfjs-transformer (${backend}, ${source}; BatchMatMul: ${ours.map(label).join(' / ')}${matmul.path === 'openblas' ? `, ${matmul.detail}` : ''}) vs PyTorch CPU reference (torch_reference.py, ${torchThreads ?? 'default'} threads); medians of ${reps} interleaved repetitions (spread min–max), each a median over ${o.steps} train/score steps after ${o.warmup} warm-up and ${o.sampleReps} sampling calls.`,
    '',
    '| preset | arm | train ms | train / torch (goal small ≤ 2.5) | sample tok/s | sample / torch (goal small ≥ 1) | score ms | score / torch |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [preset, r] of results) {
    const m = (xs: Figures[], k: keyof Figures) => median(xs.map((x) => x[k] as number));
    const s = (xs: Figures[], k: keyof Figures, d = 1) => spread(xs.map((x) => x[k] as number), d);
    const hasTorch = r.torch.length > 0;
    for (const a of arms) {
      const x = r[a];
      const ratio = (k: keyof Figures, d = 2) => (hasTorch && a !== 'torch' ? `**${fmt(m(x, k) / m(r.torch, k), d)}**` : '–');
      lines.push(
        `| ${preset} | ${label(a)} | ${fmt(m(x, 'trainMs'))} (${s(x, 'trainMs')}) | ${ratio('trainMs')} | ${fmt(m(x, 'sampleTokS'), 0)} (${s(x, 'sampleTokS', 0)}) | ${ratio('sampleTokS')} ` +
          `| ${fmt(m(x, 'scoreMs'))} (${s(x, 'scoreMs')}) | ${ratio('scoreMs')} |`,
      );
    }
    if (r.native.length && r.wasm.length) {
      lines.push(`| ${preset} | native / wasm | ${fmt(m(r.native, 'trainMs') / m(r.wasm, 'trainMs'), 2)}× time | | ${fmt(m(r.native, 'sampleTokS') / m(r.wasm, 'sampleTokS'), 2)}× tok/s | | ${fmt(m(r.native, 'scoreMs') / m(r.wasm, 'scoreMs'), 2)}× time | |`);
    }
  }
  lines.push('', 'Train loss first → last (same task: one fixed random batch): ' + [...results].map(([p, r]) => arms.map((a) => `${p} ${a} ${fmt(r[a][0]?.lossFirst ?? NaN, 3)} → ${fmt(r[a][0]?.lossLast ?? NaN, 3)}`).join(', ')).join('; '));
  const text = lines.join('\n') + '\n';
  process.stdout.write(text);
  const out = arg('out');
  if (out) {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, text);
  }
}

await main();
