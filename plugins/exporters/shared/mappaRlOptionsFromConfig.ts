import { advantageEstimatorFromTrainer } from '../mappa-rl/advantageEstimator.js';
import type { BuildMappaRlRecordsOptions } from '../mappa-rl/buildMappaRlRecords.js';

/**
 * Record options from a run's config.resolved.yaml: reward scale and fallback/truncation settings (`rewards`), the
 * agents that train (`agents[].train`), the advantage estimator (`trainer`). Missing parts get the pipeline defaults,
 * with a note.
 */
export function mappaRlOptionsFromConfig(
  config: Record<string, unknown> | null,
  runName: string,
): { options: BuildMappaRlRecordsOptions; agentIds: string[]; notes: string[] } {
  const notes: string[] = [];
  if (!config) notes.push('config.resolved.yaml is missing or unreadable: reward scale 0.1 and reinforce++ advantages assumed');
  const rewards = (config?.['rewards'] ?? {}) as Record<string, unknown>;
  const scale = typeof rewards['scale'] === 'number' ? rewards['scale'] : 0.1;
  const agents = Array.isArray(config?.['agents']) ? (config['agents'] as Array<Record<string, unknown>>) : [];
  const agentIds = agents.map((a) => String(a['id']));
  const trainedAgents = agents.length ? new Set(agents.filter((a) => a['train'] !== false).map((a) => String(a['id']))) : undefined;
  const { estimator, note } = advantageEstimatorFromTrainer(config?.['trainer']);
  if (note && config) notes.push(note);
  return {
    options: {
      run: runName,
      ...(trainedAgents ? { trainedAgents } : {}),
      rewards: { scale, trainOnFallback: rewards['trainOnFallback'] === true, trainOnTruncated: rewards['trainOnTruncated'] === true },
      estimator,
    },
    agentIds,
    notes,
  };
}
