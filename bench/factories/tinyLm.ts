import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { TinyLmPolicy } from '../../test/fakes/TinyLmPolicy.js';
import { PRESETS, type BenchPolicyFactory } from '../trainerStepModels.js';

/**
 * The test model (test/fakes/TinyLmPolicy) at the preset's vocabulary, width and depth: single-head attention and a
 * ReLU MLP, so a stand-in with a different cost, not a copy of the real policy (`--factory bench/factories/tinyLm.ts`).
 */
export const createPolicy: BenchPolicyFactory = async ({ preset, id, seed }) => {
  const { tf } = await loadTf();
  const p = PRESETS[preset];
  return new TinyLmPolicy(tf, { id, vocabSize: p.vocab, dim: p.d, layers: p.layers, seed });
};
