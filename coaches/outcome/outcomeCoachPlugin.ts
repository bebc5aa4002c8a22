import { z } from 'zod';
import type { Coach } from '../../core/contracts/Coach.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { MappaError } from '../../core/util/MappaError.js';

export const OutcomeCoachConfig = z.strictObject({
  outcome: z
    .enum(['correct', 'success'])
    .optional()
    .describe('Which outcome to reward (default: `correct` when the environment reports it, else `success`)'),
  reward: z.number().min(0).max(10).default(10).describe('Score for every action of an episode with a good outcome'),
  penalty: z.number().min(0).max(10).default(0).describe('Score for every action of an episode with a bad outcome'),
  fallbackScore: z.number().min(0).max(10).default(5).describe('Neutral score (flagged) when the episode has no outcome'),
});

/**
 * The outcome-only baseline the paper compares against: every action of an episode gets the episode's final
 * outcome (from the environment's own check, e.g. `\boxed{}` against the answer), as `reward` or `penalty`.
 * No credit assignment: all agents share one signal.
 */
export function createOutcomeCoach(options: z.input<typeof OutcomeCoachConfig> = {}): Coach {
  const config = OutcomeCoachConfig.parse(options);
  let episodes = 0;
  let good = 0;
  let fallbacks = 0;
  const flags = { repaired: false, fallback: false, cached: false };
  return {
    name: 'outcome',
    scope: 'episode',
    evaluate: async () => {
      throw new MappaError('the outcome coach scores whole episodes, not single actions', {
        hint: 'the runner calls evaluateEpisode() for episode-scope coaches; to score one action use an LLM or rule coach',
      });
    },
    evaluateEpisode: async (episode: EpisodeRecord): Promise<CoachEvaluation[]> => {
      episodes++;
      const outcome = episode.outcome;
      const which = config.outcome ?? (outcome?.correct !== undefined ? 'correct' : 'success');
      const value = outcome === undefined ? undefined : which === 'correct' ? outcome.correct : outcome.success;
      if (value === undefined) {
        fallbacks += episode.actions.length;
        const error = outcome === undefined ? 'the episode has no outcome' : `the episode outcome has no "${which}" field`;
        return episode.actions.map(() => ({
          score: config.fallbackScore,
          rationale: `outcome coach fallback: ${error}`,
          raw: '',
          flags: { ...flags, fallback: true },
          error,
          coach: 'outcome',
        }));
      }
      if (value) good++;
      const score = value ? config.reward : config.penalty;
      const name = which === 'correct' ? 'EPISODE_CORRECT' : 'EPISODE_SUCCESS';
      return episode.actions.map(() => ({
        score,
        rationale: `episode ${which === 'correct' ? (value ? 'correct' : 'incorrect') : value ? 'succeeded' : 'failed'}; every action gets ${score}`,
        outcome: { name, value: value ? 1 : 0 },
        raw: '',
        flags,
        coach: 'outcome',
      }));
    },
    stats: () => ({ episodes, good_episodes: good, fallbacks }),
  };
}

export const outcomeCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'outcome',
  description: "Outcome-only baseline: every action gets the episode's final outcome (correct/success) as 10 or 0.",
  configSchema: OutcomeCoachConfig,
  create: (config) => createOutcomeCoach(config),
});
