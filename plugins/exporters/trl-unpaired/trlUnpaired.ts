import type { z } from 'zod';
import type { Exporter } from '../../../core/contracts/Exporter.js';
import { createRowExporter } from '../shared/createRowExporter.js';
import { passes, plainMessages, sampleMeta } from '../shared/sampleMeta.js';
import { TrlUnpairedConfig } from './trlUnpairedConfig.js';

/** TRL unpaired preference (KTO): one row per action, label = coach score ≥ threshold. */
export function createTrlUnpairedExporter(options: z.input<typeof TrlUnpairedConfig> = {}): Exporter {
  const { threshold, conversational } = TrlUnpairedConfig.parse(options);
  return createRowExporter({
    name: 'trl-unpaired',
    file: 'trl-unpaired',
    *rows(batch, _ctx, notes) {
      for (const s of batch.samples) {
        if (s.record.score === null) notes.add('trl-unpaired: unscored actions labelled false');
        yield {
          prompt: conversational ? plainMessages(s.messages) : s.record.context_text,
          completion: conversational ? [{ role: 'assistant', content: s.record.action_text }] : s.record.action_text,
          label: passes(s, threshold),
          score: s.record.score,
          ...sampleMeta(s),
        };
      }
    },
  });
}
