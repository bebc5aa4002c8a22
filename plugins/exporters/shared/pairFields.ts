import { z } from 'zod';

/** Config fields of the paired-preference converters. */
export const pairFields = {
  margin: z.number().min(0).default(0).describe('Pair two actions only when their coach scores differ by more than this'),
  pairs: z
    .enum(['best-worst', 'all'])
    .default('best-worst')
    .describe('best-worst: one pair per shared context (highest vs lowest score); all: every pair of actions whose scores differ enough'),
};
