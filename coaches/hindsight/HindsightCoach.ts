import type { Coach, CoachCallOptions } from '../../core/contracts/Coach.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { MappaError } from '../../core/util/MappaError.js';
import { truncateMiddle } from '../../core/util/truncate.js';
import { coachInputsFromEpisode } from './coachInputsFromEpisode.js';

export type HindsightBlame = 'outcome-anchored' | 'judge';

export interface HindsightCoachOptions {
  /** Action-scope coach that judges each action after the episode (a rule coach, or an LLM coach with builtin:hindsight). */
  readonly judge: Coach;
  /** `outcome-anchored`: reconcile the judge with the outcome (rules below); `judge`: the judge's scores as they are. */
  readonly blame: HindsightBlame;
  /** A judge score below this counts as blaming the action. */
  readonly threshold: number;
  /** Right episode: every action gets at least this. */
  readonly successFloor: number;
  /** Wrong episode the judge blamed nobody for: every action gets at most this (the outcome's shared blame). */
  readonly failScore: number;
  /** Characters of each later action's text shown to the judge (0 = all). */
  readonly laterActionLimit: number;
}

/**
 * Re-scores every action once the episode is over, when the outcome is known (the paper's open question on
 * reward backpropagation). The judge sees each action with the episode's outcome and the actions that came after it
 * (`extras.hindsight`). With `outcome-anchored` blame the judge's verdicts are reconciled with the outcome:
 *   - right episode: every action gets max(judge, successFloor) — a slip the outcome shows was harmless (or a judge
 *     error) is not punished;
 *   - wrong episode in which the judge blames some action (score < threshold): the judge's scores as they are —
 *     blame stays with the culprit, its victims keep their credit;
 *   - wrong episode in which the judge blames nobody: every action gets min(judge, failScore) — the judge missed the
 *     culprit, so the outcome's blame is shared as the outcome coach would.
 */
export class HindsightCoach implements Coach {
  readonly scope = 'episode' as const;
  readonly name: string;
  readonly #o: HindsightCoachOptions;
  readonly #counts = { episodes: 0, right: 0, wrong_blamed: 0, wrong_unexplained: 0, raised: 0, lowered: 0, judge_fallbacks: 0 };

  constructor(options: HindsightCoachOptions) {
    if (options.judge.scope !== 'action') {
      throw new MappaError(`the hindsight judge must score single actions; ${options.judge.name} scores whole episodes`, {
        hint: 'use a rule coach or an LLM coach (template: builtin:hindsight) as `judge`',
      });
    }
    this.#o = options;
    this.name = `hindsight(${options.judge.name})`;
  }

  async evaluate(): Promise<CoachEvaluation> {
    throw new MappaError('the hindsight coach scores whole episodes, not single actions', {
      hint: 'the runner calls evaluateEpisode() for episode-scope coaches; to score one action use its judge directly',
    });
  }

  async evaluateEpisode(episode: EpisodeRecord, options: CoachCallOptions = {}): Promise<CoachEvaluation[]> {
    this.#counts.episodes++;
    const outcome = episode.outcome;
    const good = outcome === undefined ? undefined : (outcome.correct ?? outcome.success);
    const outcomeView = outcome
      ? { known: true, good: good ?? null, success: outcome.success, correct: outcome.correct ?? null, answer: outcome.answer ?? null }
      : { known: false, good: null, success: null, correct: null, answer: null };
    const inputs = coachInputsFromEpisode(episode, (_a, i) => ({
      hindsight: {
        outcome: outcomeView,
        laterActions: episode.actions.slice(i + 1).map((l) => ({ index: l.index, agentId: l.agentId, role: l.role, text: truncateMiddle(l.text, this.#o.laterActionLimit) })),
      },
    }));
    const verdicts = await Promise.all(inputs.map((input) => this.#o.judge.evaluate(input, options)));
    this.#counts.judge_fallbacks += verdicts.filter((v) => v.flags.fallback).length;
    if (this.#o.blame === 'judge' || good === undefined) return verdicts.map((v) => this.#wrap(v, v.score, 'judge'));

    if (good) {
      this.#counts.right++;
      return verdicts.map((v) => this.#wrap(v, Math.max(v.score, this.#o.successFloor), 'right episode: at least the success floor'));
    }
    const blamed = verdicts.some((v) => !v.flags.fallback && v.score < this.#o.threshold);
    if (blamed) {
      this.#counts.wrong_blamed++;
      return verdicts.map((v) => this.#wrap(v, v.score, 'wrong episode, the judge found the culprit'));
    }
    this.#counts.wrong_unexplained++;
    return verdicts.map((v) => this.#wrap(v, Math.min(v.score, this.#o.failScore), 'wrong episode the judge blamed nobody for: shared blame'));
  }

  #wrap(v: CoachEvaluation, score: number, rule: string): CoachEvaluation {
    if (score > v.score) this.#counts.raised++;
    if (score < v.score) this.#counts.lowered++;
    return {
      ...v,
      score,
      rationale: score === v.score ? `[hindsight: ${rule}] ${v.rationale}` : `[hindsight: ${rule}; judge said ${v.score}] ${v.rationale}`,
      coach: this.name,
      details: { ...v.details, hindsight: { rule, judgeScore: v.score } },
    };
  }

  stats(): Readonly<Record<string, number>> {
    const judge = Object.fromEntries(Object.entries(this.#o.judge.stats?.() ?? {}).map(([k, v]) => [`judge_${k}`, v]));
    return { ...judge, ...this.#counts };
  }

  async onStepEnd(step: number): Promise<Readonly<Record<string, number>>> {
    return (await this.#o.judge.onStepEnd?.(step)) ?? {};
  }

  async dispose(): Promise<void> {
    await this.#o.judge.dispose?.();
  }
}
