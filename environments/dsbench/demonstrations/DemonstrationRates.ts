import { z } from 'zod';

const rate = z.number().min(0).max(1);
const atMostOne = (o: Record<string, number>) => Object.values(o).reduce((s, x) => s + x, 0) <= 1;

/**
 * How often each realistic bug is put into an agent's demonstrations. The bugs of one agent are mutually exclusive
 * (one draw per demonstration), so each rate is the expected share of that agent's demonstrations with the bug.
 */
export const DemonstrationRatesSchema = z.strictObject({
  data_engineer: z
    .strictObject({
      /** Saves X_train.pkl and y_train.pkl but not X_test.pkl (the Analyst then cannot predict). */
      forgetXTest: rate.default(0.15),
      /** Fits the imputation and encoding on train and test together (`dsb.prep(fit_on='all')`): leakage. */
      fitOnTest: rate.default(0.1),
      /**
       * Takes the labels from the id column (`dsb.prep('<id>')`). Off by default: on a regression task the
       * predictions are then ids, whose RMSE is thousands of percent of the target's range and swamps the mean fair RMSE.
       */
      wrongTarget: rate.default(0),
    })
    .refine(atMostOne, 'the data_engineer rates must add up to at most 1')
    .default({ forgetXTest: 0.15, fitOnTest: 0.1, wrongTarget: 0 }),
  modeler: z
    .strictObject({
      /** Fits the model on X_test (with y_train: the code fails). */
      fitOnTest: rate.default(0.1),
      /** Trains but does not save model.pkl. */
      forgetModel: rate.default(0.1),
    })
    .refine(atMostOne, 'the modeler rates must add up to at most 1')
    .default({ fitOnTest: 0.1, forgetModel: 0.1 }),
  analyst: z
    .strictObject({
      /** Names the prediction column `prediction` instead of the target (an invalid submission). */
      wrongTarget: rate.default(0.1),
    })
    .default({ wrongTarget: 0.1 }),
});
export type DemonstrationRates = z.output<typeof DemonstrationRatesSchema>;
export type DemonstrationRatesInput = z.input<typeof DemonstrationRatesSchema>;
