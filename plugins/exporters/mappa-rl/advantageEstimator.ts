import { GrpoConfig } from '../../trainers/grpo/grpoTrainerPlugin.js';
import { ReinforcePPBaselineConfig, ReinforcePPConfig } from '../../trainers/reinforce-pp/reinforcePPConfig.js';

/** How the exported advantages are computed: the settings of the run's policy-gradient trainer that shape them. */
export type AdvantageEstimator =
  | {
      readonly kind: 'reinforce++';
      readonly normalization: 'per-agent' | 'global';
      readonly gamma: number;
      readonly rewardClip: number;
      readonly maskTruncated: boolean;
    }
  | { readonly kind: 'reinforce++-baseline'; readonly normalization: 'per-agent' | 'global'; readonly rewardClip: number; readonly maskTruncated: boolean }
  | {
      readonly kind: 'grpo';
      readonly estimator: 'grpo' | 'rloo';
      readonly scaleByStd: boolean;
      readonly eps: number;
      readonly rewardClip: number;
      readonly maskTruncated: boolean;
    };

/** The name written to `advantage_estimator`. */
export function estimatorLabel(e: AdvantageEstimator): string {
  if (e.kind !== 'grpo') return e.kind;
  if (e.estimator === 'rloo') return 'rloo';
  return e.scaleByStd ? 'grpo' : 'dr-grpo';
}

const DEFAULT: AdvantageEstimator = { kind: 'reinforce++', normalization: 'per-agent', gamma: 1, rewardClip: 10, maskTruncated: true };

/**
 * The estimator of a trainer config as written in config.resolved.yaml (`{ use, ...fields }`), parsed with the
 * trainers' own schemas so defaults are the trainers' defaults. Trainers without advantages (sft, third-party ones)
 * get REINFORCE++ with per-agent whitening, and a note says so.
 */
export function advantageEstimatorFromTrainer(trainer: unknown): { estimator: AdvantageEstimator; note?: string } {
  const t = trainer && typeof trainer === 'object' ? (trainer as Record<string, unknown>) : {};
  const { use, ...fields } = t;
  try {
    if (use === 'reinforce++') {
      const c = ReinforcePPConfig.parse(fields);
      return { estimator: { kind: 'reinforce++', normalization: c.normalization, gamma: c.gamma, rewardClip: c.rewardClip, maskTruncated: c.maskTruncated } };
    }
    if (use === 'reinforce++-baseline') {
      const c = ReinforcePPBaselineConfig.parse(fields);
      return { estimator: { kind: 'reinforce++-baseline', normalization: c.normalization, rewardClip: c.rewardClip, maskTruncated: c.maskTruncated } };
    }
    if (use === 'grpo') {
      const c = GrpoConfig.parse(fields);
      return { estimator: { kind: 'grpo', estimator: c.estimator, scaleByStd: c.scaleByStd, eps: c.eps, rewardClip: c.rewardClip, maskTruncated: c.maskTruncated } };
    }
  } catch (err) {
    return { estimator: DEFAULT, note: `the run's trainer config could not be read (${(err as Error).message.split('\n')[0]}); advantages use reinforce++ defaults` };
  }
  const name = typeof use === 'string' ? `"${use}"` : 'none';
  return { estimator: DEFAULT, note: `the run's trainer (${name}) computes no policy-gradient advantages; exported advantages use reinforce++ (per-agent whitening)` };
}
