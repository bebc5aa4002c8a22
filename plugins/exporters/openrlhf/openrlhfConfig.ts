import { z } from 'zod';

export const OpenrlhfConfig = z.strictObject({
  conversational: z
    .boolean()
    .default(false)
    .describe('input as the message list (for --data.apply_chat_template) instead of the rendered context text the policy saw'),
});
