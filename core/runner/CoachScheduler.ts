import pLimit from 'p-limit';
import type { Coach, CoachInput } from '../contracts/Coach.js';
import type { Logger } from '../contracts/Logger.js';
import type { CoachEvaluation } from '../model/CoachEvaluation.js';
import { context } from '@opentelemetry/api';
import { attrs, inSpan } from './tracing.js';

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
    // The span's parent is the action that asked, not whatever runs when a coach slot frees up.
    const parent = context.active();
    return this.#limit(() =>
      inSpan(
        'mappa.coach_evaluation',
        attrs({ 'mappa.coach': this.coach.name, 'mappa.agent.id': input.agent.id, 'mappa.agent.role': input.agent.role, 'mappa.task.id': input.task.id }),
        async (span) => {
          let evaluation: CoachEvaluation;
          try {
            evaluation = await this.coach.evaluate(input, signal ? { signal } : {});
          } catch (err) {
            evaluation = this.fallback(err);
          }
          span.setAttributes(
            attrs({
              'mappa.coach.score': evaluation.score,
              'mappa.coach.fallback': evaluation.flags.fallback,
              'mappa.coach.repaired': evaluation.flags.repaired,
              'mappa.coach.cached': evaluation.flags.cached,
              'gen_ai.usage.input_tokens': evaluation.usage?.inputTokens,
              'gen_ai.usage.output_tokens': evaluation.usage?.outputTokens,
              'mappa.coach.cost_usd': evaluation.usage?.costUsd,
            }),
          );
          return evaluation;
        },
        parent,
      ),
    );
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
