import { z } from 'zod';

const rate = z.number().min(0).max(1);
const exclusive = (keys: readonly string[]) => (o: Record<string, number>) => keys.reduce((s, k) => s + (o[k] ?? 0), 0) <= 1;

/**
 * How often each kind of mistake is put into the demonstrations. Mistakes in one group are mutually exclusive (one
 * draw per action), so each rate is exactly the expected share of that agent's demonstrations carrying the mistake.
 */
export const DemonstrationRatesSchema = z.strictObject({
  solver: z
    .strictObject({
      /** Expression group: a wrong operator (`12-3*4` for `12+3*4`)… */
      wrongOperator: rate.default(0.1),
      /** …or a number copied wrong from the problem. */
      numberSlip: rate.default(0.05),
      /** Result group: a wrong result for the expression… */
      valueSlip: rate.default(0.2),
      /** …or no result at all (just the expression). */
      noAnswer: rate.default(0.05),
    })
    .refine(exclusive(['wrongOperator', 'numberSlip']), 'wrongOperator + numberSlip must be at most 1')
    .refine(exclusive(['valueSlip', 'noAnswer']), 'valueSlip + noAnswer must be at most 1')
    .default({ wrongOperator: 0.1, numberSlip: 0.05, valueSlip: 0.2, noAnswer: 0.05 }),
  coder: z
    .strictObject({
      /** First action group: a guess with no code… */
      noCode: rate.default(0.05),
      /** …code without `print` (the output is empty; the second action retries with print)… */
      missingPrint: rate.default(0.08),
      /** …a wrong operator in the code… */
      wrongOperator: rate.default(0.08),
      /** …or a number copied wrong into the code. */
      copySlip: rate.default(0.08),
      /** The report after the code ran misquotes the printed number. */
      reportSlip: rate.default(0.05),
    })
    .refine(exclusive(['noCode', 'missingPrint', 'wrongOperator', 'copySlip']), 'noCode + missingPrint + wrongOperator + copySlip must be at most 1')
    .default({ noCode: 0.05, missingPrint: 0.08, wrongOperator: 0.08, copySlip: 0.08, reportSlip: 0.05 }),
  verifier: z
    .strictObject({
      /** The final answer without `\boxed{}`… */
      unboxed: rate.default(0.08),
      /** …or a number copied wrong from the code's output. */
      copySlip: rate.default(0.08),
    })
    .refine(exclusive(['unboxed', 'copySlip']), 'unboxed + copySlip must be at most 1')
    .default({ unboxed: 0.08, copySlip: 0.08 }),
});
export type DemonstrationRates = z.output<typeof DemonstrationRatesSchema>;
export type DemonstrationRatesInput = z.input<typeof DemonstrationRatesSchema>;
