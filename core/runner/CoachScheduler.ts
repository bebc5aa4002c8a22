import pLimit from 'p-limit';
import type { Coach, CoachInput } from '../contracts/Coach.js';
import type { Logger } from '../contracts/Logger.js';
import type { CoachEvaluation } from '../model/CoachEvaluation.js';

/**
 * Sends actions to the coach as soon as they exist, bounded by a concurrency limit, so coach latency overlaps the
 * rest of the rollout. A coach that throws never loses the action: it gets a neutral evaluation flagged `fallback`
 * with the error, and the failure is counted.
 */
export class CoachScheduler {
  readonly #limit;
  #errors = 0;

  constructor(
    readonly coach: Coach,
    concurrency: number,
    private readonly logger: Logger,
    private readonly fallbackScore = 5,
  ) {
    this.#limit = pLimit(concurrency);
  }

  get errors(): number {
    return this.#errors;
  }

  schedule(input: CoachInput, signal?: AbortSignal): Promise<CoachEvaluation> {
    return this.#limit(async () => {
      try {
        return await this.coach.evaluate(input, signal ? { signal } : {});
      } catch (err) {
        return this.fallback(err);
      }
    });
  }

  fallback(err: unknown): CoachEvaluation {
    this.#errors++;
    const message = (err as Error)?.message ?? String(err);
    this.logger.warn(`coach ${this.coach.name} failed; neutral fallback score used`, { error: message });
    return {
      score: this.fallbackScore,
      rationale: `coach error: ${message}`,
      raw: '',
      coach: this.coach.name,
      flags: { repaired: false, fallback: true, cached: false },
      error: message,
    };
  }
}
