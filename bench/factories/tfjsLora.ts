import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { BenchPolicyFactory } from '../trainerStepModels.js';

/** LoRA agents (r 8, alpha 16, all seven projections) on one shared tfjs-transformer preset base (`--factory` of trainerStep.ts). */
export const createPolicy: BenchPolicyFactory = ({ preset, id, seed }) =>
  createTfjsTransformerPolicy({ preset, id, seed: 0, base: `bench-${preset}`, lora: { r: 8, alpha: 16, seed } });
