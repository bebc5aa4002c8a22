import type { z } from 'zod';
import type { Exporter } from '../../../core/contracts/Exporter.js';
import { createRowExporter } from '../shared/createRowExporter.js';
import { preferencePairs } from '../shared/preferencePairs.js';
import { OpenaiDpoConfig } from './openaiDpoConfig.js';

/** OpenAI preference (DPO) fine-tuning rows from the same pairs as trl-preference; tool outputs are user messages. */
export function createOpenaiDpoExporter(options: z.input<typeof OpenaiDpoConfig> = {}): Exporter {
  const pairing = OpenaiDpoConfig.parse(options);
  return createRowExporter({
    name: 'openai-dpo',
    file: 'openai-dpo',
    *rows(batch, _ctx, notes) {
      const { pairs, unpaired } = preferencePairs(batch.samples, pairing);
      notes.add('openai-dpo: actions in no pair (no other action with the same context, or equal scores)', unpaired);
      for (const { chosen, rejected } of pairs) {
        yield {
          input: { messages: chosen.messages.map((m) => ({ role: m.role === 'tool' ? 'user' : m.role, content: m.content })) },
          preferred_output: [{ role: 'assistant', content: chosen.record.action_text }],
          non_preferred_output: [{ role: 'assistant', content: rejected.record.action_text }],
        };
      }
    },
  });
}
