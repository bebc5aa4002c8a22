import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { BenchPolicyFactory } from '../trainerStepModels.js';

/** The real policy (default of bench/trainerStep.ts): a tfjs-transformer preset with the byte tokenizer (262 tokens). */
export const createPolicy: BenchPolicyFactory = ({ preset, id, seed }) => createTfjsTransformerPolicy({ preset, id, seed });
