import type { z } from 'zod';
import type { Exporter } from '../../../core/contracts/Exporter.js';
import { createRowExporter } from '../shared/createRowExporter.js';
import { preferencePairs } from '../shared/preferencePairs.js';
import { plainMessages, sampleMeta } from '../shared/sampleMeta.js';
import { TrlPreferenceConfig } from './trlPreferenceConfig.js';

/** TRL paired preference with an explicit prompt (DPO, reward modelling): chosen = the higher coach score on the same context. */
export function createTrlPreferenceExporter(options: z.input<typeof TrlPreferenceConfig> = {}): Exporter {
  const { conversational, ...pairing } = TrlPreferenceConfig.parse(options);
  return createRowExporter({
    name: 'trl-preference',
    file: 'trl-preference',
    *rows(batch, _ctx, notes) {
      const { pairs, unpaired } = preferencePairs(batch.samples, pairing);
      notes.add('trl-preference: actions in no pair (no other action with the same context, or equal scores)', unpaired);
      for (const { chosen, rejected } of pairs) {
        const answer = (text: string) => (conversational ? [{ role: 'assistant', content: text }] : text);
        yield {
          prompt: conversational ? plainMessages(chosen.messages) : chosen.record.context_text,
          chosen: answer(chosen.record.action_text),
          rejected: answer(rejected.record.action_text),
          score_chosen: chosen.record.score,
          score_rejected: rejected.record.score,
          ...sampleMeta(chosen),
          rejected_episode_id: rejected.record.episode_id,
        };
      }
    },
  });
}
