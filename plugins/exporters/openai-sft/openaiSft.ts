import type { z } from 'zod';
import type { Exporter } from '../../../core/contracts/Exporter.js';
import { agentTurns } from '../shared/agentTurns.js';
import { createRowExporter } from '../shared/createRowExporter.js';
import { passes } from '../shared/sampleMeta.js';
import { OpenaiSftConfig } from './openaiSftConfig.js';

/**
 * OpenAI chat fine-tuning rows: one conversation per agent turn, as the agent saw it (its prompt, then each action
 * and the tool output that followed it, as a user message: our tools are code blocks in the text, not function
 * calls, so there is no tool_call_id to answer). Every assistant message carries `weight` from its own coach
 * score; actions the selection left out get weight 0, and the conversation ends at the last selected action.
 */
export function createOpenaiSftExporter(options: z.input<typeof OpenaiSftConfig> = {}): Exporter {
  const { threshold } = OpenaiSftConfig.parse(options);
  return createRowExporter({
    name: 'openai-sft',
    file: 'openai-sft',
    *rows(batch, _ctx, notes) {
      for (const turn of agentTurns(batch.samples)) {
        const last = turn.at(-1)!;
        const actions = last.episode.actions.filter((a) => a.agentId === last.action.agentId && a.turnIndex <= last.action.turnIndex);
        actions.sort((a, b) => a.turnIndex - b.turnIndex);
        const [prompt] = last.messages;
        const messages: Array<Record<string, unknown>> = [{ role: 'user', content: prompt!.content }];
        actions.forEach((a, i) => {
          const sample = turn.find((s) => s.action.index === a.index);
          const weight = sample && passes(sample, threshold) ? 1 : 0;
          if (!sample) notes.add('openai-sft: earlier actions outside the selection kept as context with weight 0');
          messages.push({ role: 'assistant', content: a.text, weight });
          if (i < actions.length - 1) messages.push({ role: 'user', content: a.toolOutput });
        });
        if (messages.every((m) => m['weight'] !== 1)) notes.add('openai-sft: conversations with no assistant message at or above the threshold (all weight 0)');
        yield { messages };
      }
    },
  });
}
