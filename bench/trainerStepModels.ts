import type { TrainablePolicy } from '../plugins/policies/tfjs-transformer/TrainablePolicy.js';

/**
 * Shapes of `../shared/bench/torch_reference.py`'s presets (sequence length = context + action). The tfjs-transformer
 * presets have the same width and depth; their vocabulary is the byte tokenizer's (262), not `vocab`.
 */
export const PRESETS = {
  tiny: { vocab: 64, d: 64, layers: 2, seq: 32 },
  small: { vocab: 512, d: 128, layers: 4, seq: 64 },
  medium: { vocab: 2048, d: 256, layers: 6, seq: 128 },
} as const;
export type PresetName = keyof typeof PRESETS;

/**
 * What `bench/trainerStep.ts` needs from a model: a fresh TrainablePolicy for a preset. A factory module passed with
 * `--factory FILE` must export `createPolicy` with this signature (bench/factories/ has the real policy, the default,
 * and the test model).
 */
export type BenchPolicyFactory = (o: { readonly preset: PresetName; readonly id: string; readonly seed: number }) => Promise<TrainablePolicy>;
