import type { Logger } from '../../../core/contracts/Logger.js';
import { loadTf } from '../../tfjs/loadTf.js';
import type { LrScheduleConfig } from '../trainerConfigFields.js';
import type { AdvantageSpec, PolicyGradientOptions, PolicyGradientTrainer } from './PolicyGradientTrainer.js';

/** The parsed config fields every policy-gradient plugin shares (see `policyGradientFields`). */
export interface PolicyGradientConfig {
  readonly lr: number;
  readonly adamBetas: readonly [number, number];
  readonly adamEps: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number;
  readonly schedule: LrScheduleConfig;
  readonly microBatchSize: number;
  readonly miniBatches: number;
  readonly epochs: number;
  readonly sharedPolicy: 'joint' | 'error';
  readonly seed?: number | undefined;
  readonly clipEps: number;
  readonly clipEpsHigh?: number | undefined;
  readonly dualClip?: number | undefined;
  readonly klCoef: number;
  readonly klEstimator: 'k1' | 'k2' | 'k3';
  readonly klPlacement: 'reward' | 'loss';
  readonly entropyCoef: number;
  readonly aggregation: PolicyGradientOptions['aggregation'];
  readonly lossScaleFactor?: number | undefined;
  readonly rewardClip: number;
  readonly maskTruncated: boolean;
  readonly oldLogprobs: 'recompute' | 'rollout';
}

/** Loads tfjs and builds a PolicyGradientTrainer from a parsed plugin config. */
export async function createPolicyGradientTrainer(
  name: string,
  config: PolicyGradientConfig,
  advantage: AdvantageSpec,
  defaults: { readonly seed: number; readonly logger?: Logger | undefined },
): Promise<PolicyGradientTrainer> {
  const [{ tf }, { PolicyGradientTrainer }] = await Promise.all([loadTf(), import('./PolicyGradientTrainer.js')]);
  const { seed, ...rest } = config;
  return new PolicyGradientTrainer(tf, { ...rest, name, advantage, seed: seed ?? defaults.seed }, defaults.logger);
}
