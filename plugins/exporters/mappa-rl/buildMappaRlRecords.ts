import type { ActionRecord } from '../../../core/model/Action.js';
import type { EpisodeRecord } from '../../../core/model/Episode.js';
import type { MappaRlRecord, MappaRlSkipReason } from '../../../core/model/MappaRlRecord.js';
import { type AdvantageEstimator, estimatorLabel } from './advantageEstimator.js';
import { type AdvantageRow, computeAdvantages } from './computeAdvantages.js';

export interface BuildMappaRlRecordsOptions {
  /** Run name written to every record. */
  readonly run: string;
  /** Agents that train; absent means every agent trains (as `agents[].train` defaults to true). */
  readonly trainedAgents?: ReadonlySet<string>;
  /** The pipeline's `rewards` settings (reward = score × scale; fallbacks and truncations left out unless allowed). */
  readonly rewards: { readonly scale: number; readonly trainOnFallback?: boolean; readonly trainOnTruncated?: boolean };
  readonly estimator: AdvantageEstimator;
}

/** Why an action does not enter the trainer's batch: the same checks, in the same order, as `buildExperiences`. */
function batchExclusion(episode: EpisodeRecord, action: ActionRecord, o: BuildMappaRlRecordsOptions): MappaRlSkipReason | null {
  if (o.trainedAgents && !o.trainedAgents.has(action.agentId)) return 'not-trained';
  if (episode.error) return 'failed-episode';
  if (!action.coach) return 'no-coach';
  if (action.coach.flags.fallback && !o.rewards.trainOnFallback) return 'fallback';
  if (action.finishReason === 'length' && !o.rewards.trainOnTruncated) return 'truncated';
  if (action.actionIds.length === 0 || action.contextIds.length === 0) return 'no-tokens';
  return null;
}

function outcomeValue(episode: EpisodeRecord): number | null {
  const o = episode.outcome;
  if (!o) return null;
  if (typeof o.correct === 'boolean') return o.correct ? 1 : 0;
  return o.success ? 1 : 0;
}

/**
 * `mappa-rl` records for every action of the given episodes, in episode and action order: the exact token ids and
 * rollout log-probs the episode files recorded (never re-tokenized), the coach's score, the scaled reward, and the
 * advantages the configured estimator gives each step's batch from rewards only (no KL term). Episodes of several
 * steps may be passed; each step is normalized on its own, as the trainer does. Reusable by trainer-side code that
 * writes batches for an external trainer.
 */
export function buildMappaRlRecords(episodes: readonly EpisodeRecord[], options: BuildMappaRlRecordsOptions): MappaRlRecord[] {
  const e = options.estimator;
  const entries = episodes.flatMap((episode) =>
    episode.actions.map((action) => {
      let skip = batchExclusion(episode, action, options);
      const inBatch = skip === null;
      const truncated = action.finishReason === 'length';
      if (inBatch && truncated && e.maskTruncated) skip = 'truncated';
      return { episode, action, inBatch, skip, reward: action.coach ? action.coach.score * options.rewards.scale : 0 };
    }),
  );
  const advantages = new Map<(typeof entries)[number], number[]>();
  const steps = new Map<string, typeof entries>();
  for (const x of entries) {
    if (!x.inBatch) continue;
    const key = `${x.episode.phase}/${x.episode.step}`;
    const list = steps.get(key);
    if (list) list.push(x);
    else steps.set(key, [x]);
  }
  for (const batch of steps.values()) {
    const rows: AdvantageRow[] = batch.map((x) => ({
      agentId: x.action.agentId,
      groupId: groupKey(x.episode, x.action),
      reward: x.reward,
      length: x.action.actionIds.length,
      masked: x.skip !== null,
    }));
    computeAdvantages(rows, e).forEach((adv, i) => advantages.set(batch[i]!, adv));
  }
  const label = estimatorLabel(e);
  return entries.map((x) => {
    const { episode, action } = x;
    const trainable = x.skip === null;
    const n = action.actionIds.length;
    return {
      format: 'mappa-rl',
      format_version: 1,
      run: options.run,
      step: episode.step,
      split: episode.phase,
      episode_id: episode.id,
      task_id: episode.taskId,
      group_id: groupKey(episode, action),
      agent_id: action.agentId,
      role: action.role,
      policy_id: action.policyId,
      action_index: action.index,
      turn_index: action.turnIndex,
      context_ids: action.contextIds,
      action_ids: action.actionIds,
      loss_mask: new Array<number>(n).fill(trainable ? 1 : 0),
      rollout_logprobs: action.logprobs,
      policy_version: action.policyVersion,
      finish_reason: action.finishReason,
      truncated: action.finishReason === 'length',
      score: action.coach ? action.coach.score : null,
      coach: action.coach
        ? {
            name: action.coach.coach,
            fallback: action.coach.flags.fallback,
            repaired: action.coach.flags.repaired,
            cached: action.coach.flags.cached,
            rationale: action.coach.rationale,
          }
        : null,
      reward: x.reward,
      advantages: trainable ? (advantages.get(x) ?? new Array<number>(n).fill(0)) : new Array<number>(n).fill(0),
      advantage_estimator: label,
      trainable,
      skip_reason: x.skip,
      context_text: action.inputText,
      action_text: action.text,
      episode_outcome: outcomeValue(episode),
      task_metadata: episode.taskMetadata ?? {},
    };
  });
}

/** The group key the trainers use (core/runner/buildExperiences). */
export function groupKey(episode: EpisodeRecord, action: ActionRecord): string {
  return `${episode.groupId}/${action.agentId}/${action.turnIndex}`;
}
