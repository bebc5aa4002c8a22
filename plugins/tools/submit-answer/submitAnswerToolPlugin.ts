import { z } from 'zod';
import type { Tool } from '../../../core/contracts/Tool.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { defineTool, staticToolSource } from '../../../core/tools/defineTool.js';

const SubmitAnswerConfig = z.strictObject({
  name: z.string().optional().describe('Tool name the policy sees (default: submit_answer)'),
  template: z.string().default('ANSWER: {answer}').describe('How the answer is written as the agent\'s output ({answer} is replaced)'),
});

/**
 * `submit_answer({ answer })`: ends the agent's turn; the agent's output (what the environment grades and downstream
 * agents read) becomes the answer written with `template`.
 */
export function createSubmitAnswerTool(o: { name?: string | undefined; template?: string } = {}): Tool {
  const template = o.template ?? 'ANSWER: {answer}';
  return defineTool({
    name: o.name ?? 'submit_answer',
    description: 'Submits the final answer and ends your turn.',
    parameters: z.object({ answer: z.union([z.string(), z.number()]).describe('The final answer') }),
    execute: ({ answer }) => ({ text: template.replaceAll('{answer}', String(answer)), final: true }),
  });
}

export const submitAnswerToolPlugin = definePlugin({
  kind: 'tool',
  name: 'submit_answer',
  description: "Function tool `submit_answer({ answer })`: ends the agent's turn with the answer as its output.",
  configSchema: SubmitAnswerConfig,
  capabilities: { toolNames: (c: z.output<typeof SubmitAnswerConfig>) => [c.name ?? 'submit_answer'] },
  create: (config) => {
    const tool = createSubmitAnswerTool(config);
    return staticToolSource(tool.name, [tool]);
  },
});
