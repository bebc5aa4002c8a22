import { z } from 'zod';

export const TrlPromptCompletionConfig = z.strictObject({
  conversational: z
    .boolean()
    .default(true)
    .describe('true: prompt is the message list the agent saw and completion one assistant message; false: the rendered context text and the action text'),
});
