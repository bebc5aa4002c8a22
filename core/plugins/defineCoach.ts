import { z } from 'zod';
import type { Coach, CoachInput } from '../contracts/Coach.js';
import type { CoachEvaluation } from '../model/CoachEvaluation.js';
import { MappaError } from '../util/MappaError.js';
import { definePlugin } from './definePlugin.js';
import type { PluginDeps, PluginDefinition } from './PluginDefinition.js';

/** What a rule coach returns; the runtime fills `raw`, `coach` and `flags`. */
export interface RuleScore {
  /** Process score in [0, 10]. */
  readonly score: number;
  readonly rationale: string;
  readonly outcome?: { readonly name: string; readonly value: number };
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A coach input whose environment facts (`extras`) were checked against the coach's facts schema. */
export type FactsCoachInput<F> = CoachInput & { readonly facts: F };

export interface DefineCoachOptions<S extends z.ZodType, F> {
  readonly name: string;
  readonly description: string;
  /** Config schema (everything next to `use:`). Default: no fields. */
  readonly config?: S;
  /**
   * Schema of the environment facts this coach reads (usually the environment's exported facts schema). Each
   * input's `extras` is parsed with it and handed over as `input.facts`; a mismatch is an error naming the field.
   */
  readonly facts?: z.ZodType<F>;
  /** Scores one action. */
  score(input: FactsCoachInput<F>, config: z.output<S>, deps: PluginDeps): RuleScore | Promise<RuleScore>;
}

/**
 * Declares an action-scope rule coach: `score` returns `{ score, rationale }` and the runtime fills the fields that only
 * matter to LLM coaches (`raw: ''`, `coach: name`, all flags false). A score outside [0, 10] is an error, never clamped.
 */
export function defineCoach<S extends z.ZodType = z.ZodObject<{}, z.core.$strict>, F = Readonly<Record<string, unknown>>>(
  options: DefineCoachOptions<S, F>,
): PluginDefinition<'coach', z.output<S>> {
  const { name, facts } = options;
  return definePlugin({
    kind: 'coach',
    name,
    description: options.description,
    configSchema: (options.config ?? z.strictObject({})) as unknown as z.ZodType<z.output<S>>,
    create: (config, deps): Coach => ({
      name,
      scope: 'action',
      async evaluate(input): Promise<CoachEvaluation> {
        let typed: F = input.extras as F;
        if (facts) {
          const parsed = facts.safeParse(input.extras);
          if (!parsed.success) {
            throw new MappaError(`coach "${name}" got environment facts it cannot read: ${z.prettifyError(parsed.error)}`, {
              hint: 'pair this coach with an environment that gives these facts (see its `facts` schema)',
            });
          }
          typed = parsed.data;
        }
        const r = await options.score({ ...input, facts: typed }, config, deps);
        if (typeof r?.score !== 'number' || !(r.score >= 0 && r.score <= 10)) {
          throw new MappaError(`coach "${name}" returned score ${String(r?.score)}; scores are numbers in [0, 10]`);
        }
        return {
          score: r.score,
          rationale: r.rationale,
          ...(r.outcome ? { outcome: r.outcome } : {}),
          ...(r.details ? { details: r.details } : {}),
          raw: '',
          coach: name,
          flags: { repaired: false, fallback: false, cached: false },
        };
      },
    }),
  });
}
