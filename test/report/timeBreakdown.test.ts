import { describe, expect, it } from 'vitest';
import { summarizeRun } from '../../plugins/exporters/report/summarizeRun.js';

const metrics = [
  { step: 0, 'time/warmstart_s': 100, 'time/eval_s': 10 },
  { step: 1, 'time/rollout_s': 3, 'time/train_s': 1, 'time/step_s': 4.5 },
  { step: 2, 'time/rollout_s': 3, 'time/train_s': 2, 'time/eval_s': 5, 'time/step_s': 10.5 },
];

describe('report time breakdown', () => {
  it('sums total, warm start, rollouts, training and evaluation from the time/* metrics', () => {
    const s = summarizeRun({ config: {}, metrics });
    // total = warm start + step-0 evaluation + each step's own time (which holds its rollouts, training and evaluation)
    expect(s.time).toEqual({ totalS: 125, warmStartS: 100, rolloutS: 6, trainS: 3, evalS: 15 });
  });

  it('leaves parts that a run never recorded empty rather than zero', () => {
    const s = summarizeRun({ config: {}, metrics: [{ step: 1, 'time/rollout_s': 2, 'time/step_s': 2 }] });
    expect(s.time).toEqual({ totalS: 2, warmStartS: null, rolloutS: 2, trainS: null, evalS: null });
  });
});
