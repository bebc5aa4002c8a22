import { z } from 'zod';

export const VerlConfig = z.strictObject({
  dataSource: z.string().min(1).optional().describe('data_source column (selects the reward function); default mappa/<run name>'),
  ability: z.string().min(1).optional().describe('ability column; default the acting agent\'s role'),
  groundTruthKey: z
    .string()
    .optional()
    .describe('Task metadata field copied to reward_model.ground_truth (episode files hold no hidden answers; default: empty string)'),
});
