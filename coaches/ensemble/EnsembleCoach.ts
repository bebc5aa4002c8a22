import type { Coach, CoachCallOptions, CoachInput } from '../../core/contracts/Coach.js';
import type { CoachEvaluation, TokenUsage } from '../../core/model/CoachEvaluation.js';
import { MappaError } from '../../core/util/MappaError.js';
import { redactString } from '../../core/util/redactSecrets.js';
import { aggregateScores, scoreSpread, scoreStd, type Aggregation } from './aggregateScores.js';

export interface EnsembleCoachOptions {
  /** The cheap members, asked for every action. */
  readonly members: readonly Coach[];
  readonly aggregate: Aggregation;
  /** Share trimmed from each end for `trimmed-mean`. */
  readonly trim: number;
  /** An expensive member asked only when the cheap ones disagree (or all of them fell back). */
  readonly escalate?: Coach | undefined;
  /** Spread (max − min of the cheap members' scores) above which the expensive member is asked. */
  readonly escalateAbove: number;
  /** `join`: the expensive score joins the aggregate; `replace`: it decides alone. */
  readonly escalateMode: 'join' | 'replace';
  readonly fallbackScore: number;
}

interface MemberResult {
  readonly coach: string;
  readonly evaluation: CoachEvaluation;
  readonly escalated: boolean;
}

/**
 * Several coaches per action, aggregated by mean, median or trimmed mean. Members that fell back are left out of
 * the aggregate (and counted); the disagreement (spread, standard deviation, every member's score) is recorded in
 * `details`. Only when no member produced a usable score is the result itself a flagged fallback.
 */
export class EnsembleCoach implements Coach {
  readonly scope = 'action' as const;
  readonly name: string;
  readonly #o: EnsembleCoachOptions;
  #evaluations = 0;
  #fallbacks = 0;
  #escalations = 0;
  #memberFailures = 0;
  #spreadSum = 0;
  #spreadCount = 0;

  constructor(options: EnsembleCoachOptions) {
    if (options.members.length === 0) throw new MappaError('an ensemble coach needs at least one member');
    for (const c of [...options.members, ...(options.escalate ? [options.escalate] : [])]) {
      if (c.scope !== 'action') {
        throw new MappaError(`ensemble member ${c.name} scores whole episodes; ensemble members must score single actions`, {
          hint: 'use the outcome coach on its own, not inside an ensemble',
        });
      }
    }
    this.#o = options;
    this.name = `ensemble(${options.members.map((m) => m.name).join(',')}${options.escalate ? `;escalate=${options.escalate.name}` : ''})`;
  }

  async evaluate(input: CoachInput, options: CoachCallOptions = {}): Promise<CoachEvaluation> {
    this.#evaluations++;
    const cheap = await Promise.all(this.#o.members.map((m) => this.#ask(m, input, options, false)));
    const cheapUsable = cheap.filter((r) => !r.evaluation.flags.fallback);
    const spread = scoreSpread(cheapUsable.map((r) => r.evaluation.score));
    this.#spreadSum += spread;
    this.#spreadCount++;

    let results = cheap;
    let counted = cheapUsable;
    const { escalate } = this.#o;
    if (escalate && (spread > this.#o.escalateAbove || cheapUsable.length === 0)) {
      this.#escalations++;
      const expensive = await this.#ask(escalate, input, options, true);
      results = [...cheap, expensive];
      if (!expensive.evaluation.flags.fallback) counted = this.#o.escalateMode === 'replace' ? [expensive] : [...cheapUsable, expensive];
    }

    const details = {
      aggregate: this.#o.aggregate,
      spread,
      std: scoreStd(cheapUsable.map((r) => r.evaluation.score)),
      escalated: results.length > cheap.length,
      members: results.map((r) => ({
        coach: r.coach,
        score: r.evaluation.score,
        fallback: r.evaluation.flags.fallback,
        cached: r.evaluation.flags.cached,
        escalated: r.escalated,
        ...(r.evaluation.outcome ? { outcome: r.evaluation.outcome.value } : {}),
        ...(r.evaluation.error ? { error: r.evaluation.error } : {}),
      })),
    };
    const usage = this.#usage(results.map((r) => r.evaluation));
    const raw = results.map((r) => `--- ${r.coach} ---\n${r.evaluation.raw}`).join('\n');

    if (counted.length === 0) {
      this.#fallbacks++;
      const error = `no ensemble member produced a usable score (${results.map((r) => `${r.coach}: ${r.evaluation.error ?? 'fallback'}`).join('; ')})`;
      return {
        score: this.#o.fallbackScore,
        rationale: `ensemble fallback: ${error}`,
        raw,
        ...(usage ? { usage } : {}),
        flags: { repaired: false, fallback: true, cached: false },
        error,
        coach: this.name,
        details,
      };
    }

    const scores = counted.map((r) => r.evaluation.score);
    const score = aggregateScores(scores, this.#o.aggregate, this.#o.trim);
    const outcomes = counted.flatMap((r) => (r.evaluation.outcome ? [r.evaluation.outcome] : []));
    const outcome =
      outcomes.length > 0
        ? { name: outcomes[0]!.name, value: outcomes.reduce((s, o) => s + o.value, 0) / outcomes.length >= 0.5 ? 1 : 0 }
        : undefined;
    return {
      score,
      rationale:
        `${this.#o.aggregate} of ${scores.length} score(s) [${scores.join(', ')}], spread ${spread}` +
        (details.escalated ? `, escalated to ${escalate!.name}` : '') +
        '\n' +
        counted.map((r) => `${r.coach}: ${r.evaluation.rationale}`).join('\n'),
      ...(outcome ? { outcome } : {}),
      raw,
      ...(usage ? { usage } : {}),
      flags: {
        repaired: counted.some((r) => r.evaluation.flags.repaired),
        fallback: false,
        cached: counted.every((r) => r.evaluation.flags.cached),
      },
      coach: this.name,
      details,
    };
  }

  async #ask(coach: Coach, input: CoachInput, options: CoachCallOptions, escalated: boolean): Promise<MemberResult> {
    try {
      return { coach: coach.name, evaluation: await coach.evaluate(input, options), escalated };
    } catch (err) {
      if (options.signal?.aborted) throw err;
      // A member that throws is treated like a member that fell back: left out of the aggregate and counted.
      this.#memberFailures++;
      const error = redactString((err as Error)?.message ?? String(err));
      return {
        coach: coach.name,
        evaluation: {
          score: this.#o.fallbackScore,
          rationale: `member error: ${error}`,
          raw: '',
          flags: { repaired: false, fallback: true, cached: false },
          error,
          coach: coach.name,
        },
        escalated,
      };
    }
  }

  #usage(evaluations: readonly CoachEvaluation[]): TokenUsage | undefined {
    const withUsage = evaluations.flatMap((e) => (e.usage ? [e.usage] : []));
    if (withUsage.length === 0) return undefined;
    const costs = withUsage.flatMap((u) => (u.costUsd !== undefined ? [u.costUsd] : []));
    return {
      inputTokens: withUsage.reduce((s, u) => s + u.inputTokens, 0),
      outputTokens: withUsage.reduce((s, u) => s + u.outputTokens, 0),
      ...(costs.length ? { costUsd: costs.reduce((s, c) => s + c, 0) } : {}),
    };
  }

  /** Totals over the members (same keys summed), plus the ensemble's own counters. */
  /** Its own counters continue after a resume; the members' (reported summed) cannot be split back and restart. */
  restoreStats(saved: Readonly<Record<string, number>>): void {
    const n = (k: string) => (typeof saved[k] === 'number' && Number.isFinite(saved[k]) ? saved[k] : 0);
    this.#evaluations = n('evaluations');
    this.#fallbacks = n('fallbacks');
    this.#escalations = n('escalations');
    this.#memberFailures = n('member_errors');
  }

  stats(): Readonly<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const m of [...this.#o.members, ...(this.#o.escalate ? [this.#o.escalate] : [])]) {
      for (const [k, v] of Object.entries(m.stats?.() ?? {})) out[`members_${k}`] = (out[`members_${k}`] ?? 0) + v;
    }
    return {
      ...out,
      evaluations: this.#evaluations,
      fallbacks: this.#fallbacks,
      escalations: this.#escalations,
      member_errors: this.#memberFailures,
      spread_mean: this.#spreadCount ? this.#spreadSum / this.#spreadCount : 0,
    };
  }

  async onStepEnd(step: number): Promise<Readonly<Record<string, number>>> {
    const out: Record<string, number> = {};
    const all = [...this.#o.members, ...(this.#o.escalate ? [this.#o.escalate] : [])];
    for (const [i, m] of all.entries()) {
      for (const [k, v] of Object.entries((await m.onStepEnd?.(step)) ?? {})) out[`member${i}/${k}`] = v;
    }
    return out;
  }

  async dispose(): Promise<void> {
    for (const m of [...this.#o.members, ...(this.#o.escalate ? [this.#o.escalate] : [])]) await m.dispose?.();
  }
}
