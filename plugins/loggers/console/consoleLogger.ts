import type { Logger } from '../../../core/contracts/Logger.js';
import type { RunLogger } from '../../../core/contracts/RunLogger.js';

export interface CreateConsoleLoggerOptions {
  /** Lines go to this text logger (the CLI routes it around the progress bars). */
  readonly logger: Logger;
  readonly every?: number;
}

const fmt = (x: unknown, digits = 2) => (typeof x !== 'number' || Number.isNaN(x) ? '–' : x.toFixed(digits));

/** One readable line per step: training success, mean coach score, evaluation accuracy, step time. */
export function createConsoleLogger(o: CreateConsoleLoggerOptions): RunLogger {
  const every = o.every ?? 1;
  return {
    name: 'console',
    background: false,
    async log(step, m) {
      const hasEval = m['eval/accuracy'] !== undefined || m['eval/success_rate'] !== undefined;
      if (step === 0) {
        if (hasEval) o.logger.info(`step 0 eval: accuracy ${fmt(m['eval/accuracy'])} success ${fmt(m['eval/success_rate'])}`);
        return;
      }
      if (step % every !== 0 && !hasEval) return;
      o.logger.info(
        `step ${step}: success ${fmt(m['train/success_rate'])} coach ${fmt(m['train/coach/score_mean'])}` +
          (m['eval/accuracy'] !== undefined ? ` eval accuracy ${fmt(m['eval/accuracy'])}` : '') +
          ` (${fmt(m['time/step_s'], 1)} s)`,
      );
    },
  };
}
