import type { AgentSpec } from '../contracts/AgentSpec.js';
import type { EpisodeRecord } from '../model/Episode.js';
import type { Experience } from '../model/Experience.js';
import type { PipelineSpec } from '../pipeline/PipelineSpec.js';

export interface ExperienceStats {
  /** Actions turned into experiences. */
  used: number;
  /** Actions left out, by reason. */
  skippedFailedEpisode: number;
  skippedFallback: number;
  skippedTruncated: number;
  skippedNoTokens: number;
  skippedNoCoach: number;
  skippedNotTrained: number;
}

/**
 * Turns coached actions into per-agent training samples, reusing the exact token ids the policy produced.
 * Every action left out is counted by reason, so nothing disappears silently.
 */
export function buildExperiences(
  episodes: readonly EpisodeRecord[],
  agents: readonly AgentSpec[],
  rewards: PipelineSpec['rewards'],
): { byAgent: Map<string, Experience[]>; stats: ExperienceStats } {
  const byAgent = new Map<string, Experience[]>(agents.filter((a) => a.train).map((a) => [a.id, []]));
  const stats: ExperienceStats = {
    used: 0,
    skippedFailedEpisode: 0,
    skippedFallback: 0,
    skippedTruncated: 0,
    skippedNoTokens: 0,
    skippedNoCoach: 0,
    skippedNotTrained: 0,
  };
  for (const episode of episodes) {
    for (const action of episode.actions) {
      const bucket = byAgent.get(action.agentId);
      if (!bucket) stats.skippedNotTrained++;
      else if (episode.error) stats.skippedFailedEpisode++;
      else if (!action.coach) stats.skippedNoCoach++;
      else if (action.coach.flags.fallback && !rewards.trainOnFallback) stats.skippedFallback++;
      else if (action.finishReason === 'length' && !rewards.trainOnTruncated) stats.skippedTruncated++;
      else if (action.actionIds.length === 0 || action.contextIds.length === 0) stats.skippedNoTokens++;
      else {
        stats.used++;
        bucket.push({
          agentId: action.agentId,
          policyId: action.policyId,
          episodeId: episode.id,
          taskId: episode.taskId,
          groupId: `${episode.groupId}/${action.agentId}/${action.turnIndex}`,
          turnIndex: action.turnIndex,
          contextIds: action.contextIds,
          actionIds: action.actionIds,
          rolloutLogprobs: action.logprobs,
          reward: action.coach.score * rewards.scale,
          score: action.coach.score,
          truncated: action.finishReason === 'length',
          policyVersion: action.policyVersion,
          taskMetadata: episode.taskMetadata,
        });
      }
    }
  }
  return { byAgent, stats };
}
