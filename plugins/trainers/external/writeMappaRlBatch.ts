import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentBatch } from '../../../core/contracts/Trainer.js';
import type { Experience } from '../../../core/model/Experience.js';
import type { MappaRlBatchMeta, MappaRlRecord, MappaRlSkipReason } from '../../../core/model/MappaRlRecord.js';
import { atomicWriteFile } from '../../../core/util/atomicWrite.js';

export interface MappaRlBatchInput {
  readonly run: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly policyId: string;
  readonly policyVersion: number;
  /** The agents sharing this policy, in the step's order. */
  readonly batches: readonly Pick<AgentBatch, 'agentId' | 'experiences'>[];
  /** `estimator` plus mappa's trainer config fields (lr, adamBetas, klCoef, …), as the external trainer reads them. */
  readonly trainer: MappaRlBatchMeta['trainer'];
  readonly stateDir: string;
  /** Whether truncated actions are masked out (then `trainable: false`). */
  readonly maskTruncated: boolean;
}

/**
 * One record of a trainer batch. A trainer batch is built from the step's experiences, which carry no text, coach
 * rationale or action index (the run's episode files have them), so those fields are empty here; `advantages` is
 * left empty because the estimators the external trainer runs put a KL term in the reward that needs the reference.
 */
export function experienceRecord(run: string, step: number, e: Experience, maskTruncated: boolean): MappaRlRecord {
  const skip: MappaRlSkipReason | null =
    e.actionIds.length === 0 || e.contextIds.length === 0 ? 'no-tokens' : maskTruncated && e.truncated ? 'truncated' : null;
  return {
    format: 'mappa-rl',
    format_version: 1,
    run,
    step,
    split: 'train',
    episode_id: e.episodeId,
    task_id: e.taskId,
    group_id: e.groupId,
    agent_id: e.agentId,
    role: '',
    policy_id: e.policyId,
    action_index: -1,
    turn_index: e.turnIndex,
    context_ids: e.contextIds,
    action_ids: e.actionIds,
    loss_mask: e.lossMask ?? e.actionIds.map(() => 1),
    rollout_logprobs: e.rolloutLogprobs,
    policy_version: e.policyVersion,
    finish_reason: e.truncated ? 'length' : 'stop',
    truncated: e.truncated,
    score: e.score,
    coach: null,
    reward: e.reward,
    advantages: [],
    advantage_estimator: '',
    trainable: skip === null,
    skip_reason: skip,
    context_text: '',
    action_text: '',
    episode_outcome: null,
    task_metadata: e.taskMetadata,
  };
}

/** Writes `records.jsonl` and `meta.json` into `dir`; returns the meta file's path. */
export async function writeMappaRlBatch(dir: string, input: MappaRlBatchInput): Promise<{ metaPath: string; meta: MappaRlBatchMeta; records: number }> {
  await mkdir(dir, { recursive: true });
  const lines: string[] = [];
  for (const b of input.batches) for (const e of b.experiences) lines.push(JSON.stringify(experienceRecord(input.run, input.step, e, input.maskTruncated)));
  await writeFile(join(dir, 'records.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
  const meta: MappaRlBatchMeta = {
    format: 'mappa-rl-batch',
    format_version: 1,
    run: input.run,
    step: input.step,
    total_steps: input.totalSteps,
    agent_ids: input.batches.map((b) => b.agentId),
    policy_id: input.policyId,
    policy_version: input.policyVersion,
    records: 'records.jsonl',
    trainer: input.trainer,
    state_dir: input.stateDir,
  };
  const metaPath = join(dir, 'meta.json');
  await atomicWriteFile(metaPath, JSON.stringify(meta, null, 2));
  return { metaPath, meta, records: lines.length };
}
