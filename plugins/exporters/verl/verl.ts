import type { z } from 'zod';
import type { Exporter } from '../../../core/contracts/Exporter.js';
import { createRowExporter } from '../shared/createRowExporter.js';
import type { ParquetColumns } from '../shared/ParquetTableWriter.js';
import { plainMessages } from '../shared/sampleMeta.js';
import { VerlConfig } from './verlConfig.js';

const COLUMNS: ParquetColumns = {
  data_source: 'string',
  prompt: { list: { struct: { role: 'string', content: 'string' } } },
  ability: 'string',
  reward_model: { struct: { style: 'string', ground_truth: 'string' } },
  extra_info: {
    struct: {
      split: 'string',
      index: 'int32',
      step: 'int32',
      episode_id: 'string',
      task_id: 'string',
      agent_id: 'string',
      turn_index: 'int32',
      response: 'string',
      score: { nullable: 'double' },
      reward: 'double',
    },
  },
};

/**
 * verl RL dataset rows (Parquet): the conversation the agent saw as `prompt`, and in `extra_info` the action it took
 * (`response`) with its coach score, so a custom `compute_score` can return the recorded score. One row per action.
 */
export function createVerlExporter(options: z.input<typeof VerlConfig> = {}): Exporter {
  const config = VerlConfig.parse(options);
  // Row index within one export (verl's extra_info.index); restarts when the exporter is used again.
  let index = 0;
  let current: object | undefined;
  return createRowExporter({
    name: 'verl',
    file: 'verl',
    parquet: COLUMNS,
    *rows(batch, ctx) {
      if (ctx !== current) [current, index] = [ctx, 0];
      for (const s of batch.samples) {
        const r = s.record;
        const truth = config.groundTruthKey !== undefined ? r.task_metadata[config.groundTruthKey] : undefined;
        yield {
          data_source: config.dataSource ?? `mappa/${ctx.runName}`,
          prompt: plainMessages(s.messages),
          ability: config.ability ?? r.role,
          reward_model: { style: 'rule', ground_truth: truth === undefined || truth === null ? '' : String(truth) },
          extra_info: {
            split: r.split,
            index: index++,
            step: r.step,
            episode_id: r.episode_id,
            task_id: r.task_id,
            agent_id: r.agent_id,
            turn_index: r.turn_index,
            response: r.action_text,
            score: r.score,
            reward: r.reward,
          },
        };
      }
    },
  });
}
