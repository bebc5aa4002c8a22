import type { z } from 'zod';
import type { Exporter } from '../../../core/contracts/Exporter.js';
import { createRowExporter } from '../shared/createRowExporter.js';
import { plainMessages, sampleMeta } from '../shared/sampleMeta.js';
import { TrlPromptCompletionConfig } from './trlPromptCompletionConfig.js';

/** TRL prompt-completion rows (SFT, or GRPO with the reward column read by a reward function): one per action. */
export function createTrlPromptCompletionExporter(options: z.input<typeof TrlPromptCompletionConfig> = {}): Exporter {
  const { conversational } = TrlPromptCompletionConfig.parse(options);
  return createRowExporter({
    name: 'trl-prompt-completion',
    file: 'trl-prompt-completion',
    *rows(batch) {
      for (const s of batch.samples) {
        yield {
          prompt: conversational ? plainMessages(s.messages) : s.record.context_text,
          completion: conversational ? [{ role: 'assistant', content: s.record.action_text }] : s.record.action_text,
          reward: s.record.reward,
          score: s.record.score,
          ...sampleMeta(s),
        };
      }
    },
  });
}
