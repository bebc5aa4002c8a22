import type { z } from 'zod';
import type { Exporter } from '../../../core/contracts/Exporter.js';
import { createRowExporter } from '../shared/createRowExporter.js';
import { plainMessages, sampleMeta } from '../shared/sampleMeta.js';
import { OpenrlhfConfig } from './openrlhfConfig.js';

/**
 * OpenRLHF JSONL rows (`--data.input_key input --data.label_key label`): the context as `input`, the action as
 * `output`, the coach score as `label` (a string, as OpenRLHF hands labels to reward functions) and the scaled
 * `reward`.
 */
export function createOpenrlhfExporter(options: z.input<typeof OpenrlhfConfig> = {}): Exporter {
  const { conversational } = OpenrlhfConfig.parse(options);
  return createRowExporter({
    name: 'openrlhf',
    file: 'openrlhf',
    *rows(batch) {
      for (const s of batch.samples) {
        yield {
          input: conversational ? plainMessages(s.messages) : s.record.context_text,
          output: s.record.action_text,
          label: s.record.score === null ? '' : String(s.record.score),
          reward: s.record.reward,
          ...sampleMeta(s),
        };
      }
    },
  });
}
