import { z } from 'zod';
import { pairFields } from '../shared/pairFields.js';

export const TrlPreferenceConfig = z.strictObject({
  ...pairFields,
  conversational: z.boolean().default(true).describe('Message lists (true) or the rendered context text and action texts (false)'),
});
