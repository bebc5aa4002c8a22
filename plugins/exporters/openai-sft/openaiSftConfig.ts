import { z } from 'zod';

export const OpenaiSftConfig = z.strictObject({
  threshold: z.number().min(0).max(10).default(5).describe('An assistant message gets weight 1 when its coach score is at least this, else 0'),
});
