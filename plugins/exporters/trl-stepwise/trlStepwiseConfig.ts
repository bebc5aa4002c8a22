import { z } from 'zod';

export const TrlStepwiseConfig = z.strictObject({
  threshold: z.number().min(0).max(10).default(5).describe('A step is labelled true when its coach score is at least this'),
  includeToolOutput: z
    .boolean()
    .default(true)
    .describe('Append the tool output an action got to its step text (what the agent saw before its next step); the last step never carries one'),
});
