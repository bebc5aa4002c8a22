import { describe, expect, it } from 'vitest';
import { accuracy, f1Binary, f1Weighted, logLoss, quadraticWeightedKappa, rocAuc } from '../../environments/dsbench/grading/classificationMetrics.js';
import { detectDataType, referenceDataType } from '../../environments/dsbench/grading/detectDataType.js';
import { fairMetrics } from '../../environments/dsbench/grading/fairMetrics.js';
import { gradeFigures, gradeSubmission } from '../../environments/dsbench/grading/gradeSubmission.js';
import { detectMetricFromText, higherIsBetter, normalizeMetricName } from '../../environments/dsbench/grading/metricNames.js';
import { parseCsv } from '../../environments/dsbench/grading/parseCsv.js';
import { mae, medae, mse, quantile, r2, rmse, rmsle, targetStats } from '../../environments/dsbench/grading/regressionMetrics.js';
import { relativePerformanceGap } from '../../environments/dsbench/grading/relativePerformanceGap.js';

describe('classification metrics (hand-computed)', () => {
  it('accuracy and binary F1', () => {
    // TP = 2, FP = 1, FN = 1 → F1 = 4 / 6.
    expect(accuracy(['1', '0', '1', '1'], ['1', '1', '1', '0'])).toBe(0.5);
    expect(f1Binary(['1', '0', '1', '1'], ['1', '1', '1', '0'], '1')).toBeCloseTo(2 / 3, 12);
    expect(f1Binary(['0', '0'], ['0', '0'], '1')).toBe(0);
  });

  it('weighted F1 weights per-label F1 by true support', () => {
    // a: F1 0.5 (support 2), b: 2/3 (support 1), c: 0 (support 1) → 0.5·0.5 + 0.25·2/3.
    expect(f1Weighted(['a', 'a', 'b', 'c'], ['a', 'b', 'b', 'a'])).toBeCloseTo(0.25 + 1 / 6, 12);
  });

  it('ROC-AUC counts tied scores as half', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    // Positives 0.5 and 0.9 against negatives 0.5 and 0.2: (0.5 + 1 + 2) / 4.
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBeCloseTo(0.875, 12);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it('log loss and quadratic weighted kappa', () => {
    expect(logLoss([1, 0], [0.9, 0.2])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    // sklearn.metrics.cohen_kappa_score(..., weights='quadratic') gives 0.3902439.
    expect(quadraticWeightedKappa([1, 2, 3, 4, 2], [1, 3, 3, 2, 2])).toBeCloseTo(0.3902439, 6);
    expect(quadraticWeightedKappa([1, 2, 3], [1, 2, 3])).toBe(1);
  });
});

describe('regression metrics (hand-computed)', () => {
  const t = [3, -0.5, 2, 7];
  const p = [2.5, 0, 2, 8];
  it('RMSE, MSE, MAE, MedAE, R²', () => {
    expect(mse(t, p)).toBeCloseTo(0.375, 12);
    expect(rmse(t, p)).toBeCloseTo(Math.sqrt(0.375), 12);
    expect(mae(t, p)).toBeCloseTo(0.5, 12);
    expect(medae(t, p)).toBeCloseTo(0.5, 12);
    expect(r2(t, p)).toBeCloseTo(0.9486081, 6);
  });
  it('RMSLE', () => {
    const expected = Math.sqrt(
      ((Math.log(3.5) - Math.log(4)) ** 2 + 0 + (Math.log(5) - Math.log(3.5)) ** 2 + (Math.log(9) - Math.log(8)) ** 2) / 4,
    );
    expect(rmsle([3, 5, 2.5, 7], [2.5, 5, 4, 8])).toBeCloseTo(expected, 12);
    expect(rmsle([3, 5, 2.5, 7], [2.5, 5, 4, 8])).toBeCloseTo(0.1993242, 6);
  });
  it('quantiles interpolate linearly like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 0.75)).toBe(3.25);
    const s = targetStats([4, 1, 3, 2]);
    expect(s).toMatchObject({ min: 1, max: 4, range: 3, iqr: 1.5, median: 2.5, mean: 2.5 });
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
  });
});

describe('relative performance gap', () => {
  it('works for both metric directions and scores failures 0', () => {
    expect(relativePerformanceGap(0.8, 0.6, 0.9)).toBeCloseTo(2 / 3, 12);
    expect(relativePerformanceGap(5, 10, 2)).toBeCloseTo(0.625, 12); // RMSE: lower is better
    expect(relativePerformanceGap(0.5, 0.6, 0.9)).toBe(0);
    expect(relativePerformanceGap(undefined, 0.6, 0.9)).toBe(0);
    expect(relativePerformanceGap(Number.NaN, 0.6, 0.9)).toBe(0);
    expect(relativePerformanceGap(0.8, 0.6, 0.6)).toBeNaN();
  });
});

describe('data-type detection', () => {
  it('treats string multiclass labels as classification, unlike the reference code', () => {
    const labels = ['Graduate', 'Dropout', 'Enrolled', 'Graduate'];
    expect(detectDataType(labels)).toBe('classification');
    expect(referenceDataType(labels)).toBe('regression');
  });
  it('agrees with the reference on the other cases', () => {
    const cases: Array<[string[], 'classification' | 'regression']> = [
      [['0', '1', '1', '0'], 'classification'],
      [['True', 'False', 'True'], 'classification'],
      [['yes', 'no', 'no'], 'classification'],
      [['3', '4', '5', '6', '7'], 'classification'],
      [['1.5', '2.25', '3.75', '10.5'], 'regression'],
      [Array.from({ length: 30 }, (_, i) => String(i * 3)), 'regression'],
      [['', 'nan', '2.5', '3.5', '7.25'], 'regression'],
    ];
    for (const [values, type] of cases) {
      expect(detectDataType(values), values.join(',')).toBe(type);
      expect(referenceDataType(values), values.join(',')).toBe(type);
    }
  });
});

describe('metric names', () => {
  it('normalises names and knows directions', () => {
    expect(normalizeMetricName('ROC-AUC')).toBe('roc_auc');
    expect(normalizeMetricName('F1 score')).toBe('f1');
    expect(higherIsBetter('rmsle')).toBe(false);
    expect(higherIsBetter('accuracy')).toBe(true);
    expect(higherIsBetter('smurf')).toBeUndefined();
  });
  it('detects the metric in task text, most specific first', () => {
    expect(detectMetricFromText('Submissions are evaluated on Root Mean Squared Logarithmic Error.')).toBe('rmsle');
    expect(detectMetricFromText('evaluated on area under the ROC curve')).toBe('roc_auc');
    expect(detectMetricFromText('scored on the Median Absolute Error (MedAE)')).toBe('medae');
    expect(detectMetricFromText('using the accuracy score')).toBe('accuracy');
    expect(detectMetricFromText('no metric here')).toBe('unknown');
  });
});

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, CRLF and a BOM', () => {
    const t = parseCsv('\ufeffid,name\r\n1,"a, b"\r\n2,"say ""hi"""\r\n\r\n');
    expect(t.header).toEqual(['id', 'name']);
    expect(t.rows).toEqual([['1', 'a, b'], ['2', 'say "hi"']]);
  });
});

describe('gradeSubmission', () => {
  const imbalanced = 'id,is_fraud\n' + Array.from({ length: 10 }, (_, i) => `${i},${i === 3 ? 1 : 0}`).join('\n');
  it('majority-class predictions: high accuracy, zero F1', () => {
    const sub = 'id,is_fraud\n' + Array.from({ length: 10 }, (_, i) => `${i},0`).join('\n');
    const g = gradeSubmission(imbalanced, sub, { target: 'is_fraud', idColumn: 'id', metric: 'f1', baselineScore: 0, gtScore: 1 });
    expect(g.valid).toBe(true);
    expect(g.taskType).toBe('classification');
    expect(g.metrics.accuracy).toBe(0.9);
    expect(g.metrics.f1).toBe(0);
    expect(g.score).toBe(0);
    expect(g.rpg).toBe(0);
    expect(g.fair).toEqual({ fair_accuracy: 0.9, fair_f1: 0 });
  });

  it('matches rows by id (in any order, numeric ids canonicalised) and rounds probabilities for accuracy', () => {
    const answers = 'PassengerId,Survived\n1,1\n2,0\n3,1\n4,0\n';
    const sub = 'PassengerId,Survived\n4.0,0.2\n3,0.9\n2,0.6\n1,0.7\n';
    const g = gradeSubmission(answers, sub, { target: 'Survived', idColumn: 'PassengerId', metric: 'roc_auc', baselineScore: 0.5, gtScore: 1 });
    expect(g.valid).toBe(true);
    expect(g.metrics.accuracy).toBe(0.75); // id 2 rounds to 1
    expect(g.metrics.roc_auc).toBe(1);
    expect(g.score).toBe(1);
    expect(g.rpg).toBe(1);
    expect(g.text).toContain('ROC-AUC: 1.0000');
  });

  it('grades string multiclass labels as classification with weighted F1', () => {
    const answers = 'id,Target\n1,Graduate\n2,Dropout\n3,Enrolled\n4,Graduate\n';
    const sub = 'id,Target\n1,Graduate\n2,Dropout\n3,Graduate\n4,Graduate\n';
    const g = gradeSubmission(answers, sub, { target: 'Target', idColumn: 'id', metric: 'accuracy' });
    expect(g.detectedType).toBe('classification');
    expect(g.metrics.accuracy).toBe(0.75);
    // Graduate: TP 2, FP 1 → 0.8 (support 2); Dropout 1 (support 1); Enrolled 0 (support 1).
    expect(g.metrics.f1).toBeCloseTo(0.5 * 0.8 + 0.25, 12);
    expect(Number.isNaN(g.rpg)).toBe(true);
  });

  it('computes regression figures incl. RMSE as % of range and IQR, and RMSLE with clipping counted', () => {
    const answers = 'id,y\n1,1\n2,2\n3,3\n4,4\n';
    const g = gradeSubmission(answers, 'id,y\n1,1\n2,2\n3,3\n4,5\n', { target: 'y', idColumn: 'id', metric: 'rmse', baselineScore: 1.118, gtScore: 0 });
    expect(g.taskType).toBe('regression');
    expect(g.metrics.rmse).toBeCloseTo(0.5, 12);
    expect(g.metrics.rmse_pct_of_range).toBeCloseTo(50 / 3, 10);
    expect(g.metrics.rmse_pct_of_iqr).toBeCloseTo(100 / 3, 10);
    expect(g.fair).toEqual({ fair_rmse_pct_of_range: g.metrics.rmse_pct_of_range });
    expect(g.rpg).toBeCloseTo((0.5 - 1.118) / (0 - 1.118), 10);
    const neg = gradeSubmission(answers, 'id,y\n1,-2\n2,2\n3,3\n4,4\n', { target: 'y', idColumn: 'id', taskType: 'regression' });
    expect(neg.metrics.rmsle_clipped_predictions).toBe(1);
    expect(neg.metrics.rmsle).toBeCloseTo(Math.sqrt(Math.log(2) ** 2 / 4), 12);
  });

  it('flags invalid submissions with a reason and applies the fair fallbacks', () => {
    const answers = 'id,y\n1,1.5\n2,2.5\n3,3.5\n';
    const opts = { target: 'y', idColumn: 'id', metric: 'rmse', baselineScore: 1, gtScore: 0 } as const;
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /no submission file/],
      ['id,y\n', /no rows/],
      ['id,y\n1,1\n2,2\n', /1 of 3 test ids have no prediction/],
      ['id,y\n1,1\n1,1\n2,2\n3,3\n', /appears more than once/],
      ['id,pred\n1,1\n2,2\n3,3\n', /no prediction column "y"/],
      ['y\n1\n2\n3\n', /no id column "id"/],
      ['id,y\n1,1\n2,abc\n3,3\n', /"abc" for id 2 is not a number/],
      ['id,y\n1,1\n2,\n3,3\n', /empty prediction for id 2/],
    ];
    for (const [sub, reason] of cases) {
      const g = gradeSubmission(answers, sub, opts);
      expect(g.valid, String(sub)).toBe(false);
      expect(g.error).toMatch(reason);
      expect(g.rpg).toBe(0);
      expect(g.fair).toEqual({ fair_rmse_pct_of_range: 50 });
      expect(g.text).toMatch(/^ERROR: No valid predictions/);
    }
    const cls = gradeSubmission('id,c\n1,a\n2,b\n', undefined, { target: 'c', idColumn: 'id' });
    expect(cls.fair).toEqual({ fair_accuracy: 0.5, fair_f1: 0 });
  });

  it('lenient matching falls back to row order and the second column, and says so', () => {
    const answers = 'id,y\n1,1\n2,2\n';
    const g = gradeSubmission(answers, 'row,prediction\n0,1\n1,2\n', { target: 'y', idColumn: 'id', taskType: 'regression', columnMatching: 'lenient' });
    expect(g.valid).toBe(true);
    expect(g.metrics.rmse).toBe(0);
    expect(g.metrics.lenient_fallback).toBe(1);
  });

  it('averages metrics over several target columns', () => {
    const answers = 'id,a,b\n1,1,10\n2,2,20\n';
    const g = gradeSubmission(answers, 'id,a,b\n1,2,10\n2,2,22\n', { target: ['a', 'b'], idColumn: 'id', taskType: 'regression', metric: 'mae' });
    expect(g.metrics.mae).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(g.score).toBeCloseTo(0.75, 12);
  });

  it('throws a fixable error when the answers lack the id or target column', () => {
    expect(() => gradeSubmission('x,y\n1,2\n', 'x,y\n1,2\n', { target: 'y', idColumn: 'id' })).toThrow(/no id column "id"/);
    expect(() => gradeSubmission('id,z\n1,2\n', 'id,z\n1,2\n', { target: 'y', idColumn: 'id' })).toThrow(/no target column "y"/);
  });

  it('gradeFigures flattens to finite numbers for Outcome.metrics', () => {
    const g = gradeSubmission(imbalanced, undefined, { target: 'is_fraud', idColumn: 'id', metric: 'f1', baselineScore: 0, gtScore: 1 });
    expect(gradeFigures(g)).toEqual({ valid: 0, fair_accuracy: 0.5, fair_f1: 0, rpg: 0 });
    expect(fairMetrics('regression', { rmse_pct_of_range: Number.NaN })).toEqual({ fair_rmse_pct_of_range: 50 });
  });
});
