import type { MappaRlRecord } from '../../../core/model/MappaRlRecord.js';
import type { ParquetColumns } from '../shared/ParquetTableWriter.js';

/** Parquet columns of a mappa-rl record: the JSONL fields, with `task_metadata` as a JSON string. */
export const MAPPA_RL_PARQUET_COLUMNS: ParquetColumns = {
  format: 'string',
  format_version: 'int32',
  run: 'string',
  step: 'int32',
  split: 'string',
  episode_id: 'string',
  task_id: 'string',
  group_id: 'string',
  agent_id: 'string',
  role: 'string',
  policy_id: 'string',
  action_index: 'int32',
  turn_index: 'int32',
  context_ids: { list: 'int32' },
  action_ids: { list: 'int32' },
  loss_mask: { list: 'int32' },
  rollout_logprobs: { list: 'double' },
  policy_version: 'int32',
  finish_reason: 'string',
  truncated: 'bool',
  score: { nullable: 'double' },
  coach: { nullable: { struct: { name: 'string', fallback: 'bool', repaired: 'bool', cached: 'bool', rationale: 'string' } } },
  reward: 'double',
  advantages: { list: 'double' },
  advantage_estimator: 'string',
  trainable: 'bool',
  skip_reason: { nullable: 'string' },
  context_text: 'string',
  action_text: 'string',
  episode_outcome: { nullable: 'double' },
  task_metadata: 'string',
};

export function mappaRlParquetRow(r: MappaRlRecord): Record<string, unknown> {
  return { ...r, task_metadata: JSON.stringify(r.task_metadata) };
}
