import { z } from 'zod';

export const TrlUnpairedConfig = z.strictObject({
  threshold: z.number().min(0).max(10).default(5).describe('label is true when the coach score is at least this'),
  conversational: z.boolean().default(true).describe('Message lists (true) or the rendered context text and action text (false)'),
});
