import type { TrainablePolicy } from '../plugins/policies/tfjs-transformer/TrainablePolicy.js';
import { loadTf } from '../plugins/tfjs/loadTf.js';
import { TinyLmPolicy } from '../test/fakes/TinyLmPolicy.js';

/** Shapes of `../shared/bench/torch_reference.py`'s presets (sequence length = context + action). */
export const PRESETS = {
  tiny: { vocab: 64, d: 64, layers: 2, seq: 32 },
  small: { vocab: 512, d: 128, layers: 4, seq: 64 },
  medium: { vocab: 2048, d: 256, layers: 6, seq: 128 },
} as const;
export type PresetName = keyof typeof PRESETS;

/**
 * What `bench/trainerStep.ts` needs from a model: a fresh TrainablePolicy for a preset. A factory module passed with
 * `--factory FILE` must export `createPolicy` with this signature.
 */
export type BenchPolicyFactory = (o: { readonly preset: PresetName; readonly id: string; readonly seed: number }) => Promise<TrainablePolicy>;

/**
 * Default factory: the test model (test/fakes/TinyLmPolicy) at the preset's vocabulary, width and depth. It has
 * single-head attention and a ReLU MLP, so it stands in for the real tfjs-transformer, not a copy of its cost.
 */
export const createPolicy: BenchPolicyFactory = async ({ preset, id, seed }) => {
  const { tf } = await loadTf();
  const p = PRESETS[preset];
  return new TinyLmPolicy(tf, { id, vocabSize: p.vocab, dim: p.d, layers: p.layers, seed });
};
