import type { z } from 'zod';
import type { Exporter } from '../../../core/contracts/Exporter.js';
import { agentTurns } from '../shared/agentTurns.js';
import { agentPrompt } from '../shared/conversationBefore.js';
import { createRowExporter } from '../shared/createRowExporter.js';
import { passes, sampleMeta } from '../shared/sampleMeta.js';
import { TrlStepwiseConfig } from './trlStepwiseConfig.js';

/**
 * TRL stepwise supervision (PRM trainer): one row per agent turn, its actions as steps, each labelled by its own
 * coach score against the threshold. TRL defines this format for plain strings only.
 */
export function createTrlStepwiseExporter(options: z.input<typeof TrlStepwiseConfig> = {}): Exporter {
  const { threshold, includeToolOutput } = TrlStepwiseConfig.parse(options);
  return createRowExporter({
    name: 'trl-stepwise',
    file: 'trl-stepwise',
    *rows(batch, _ctx, notes) {
      for (const turn of agentTurns(batch.samples)) {
        const first = turn[0]!;
        const gaps = turn.some((s, i) => s.record.turn_index !== i);
        if (gaps) notes.add('trl-stepwise: agent turns with actions left out by the selection (steps kept in order, gaps not marked)');
        yield {
          prompt: agentPrompt(first.episode, first.record.agent_id).text,
          completions: turn.map((s, i) =>
            includeToolOutput && i < turn.length - 1 && s.action.toolOutput ? `${s.record.action_text}\n${s.action.toolOutput}` : s.record.action_text,
          ),
          labels: turn.map((s) => passes(s, threshold)),
          scores: turn.map((s) => s.record.score),
          ...sampleMeta(first),
        };
      }
    },
  });
}
