import { z } from 'zod';
import { pairFields } from '../shared/pairFields.js';

export const OpenaiDpoConfig = z.strictObject({ ...pairFields });
