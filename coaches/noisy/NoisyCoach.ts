import type { Coach, CoachCallOptions, CoachInput } from '../../core/contracts/Coach.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import { deriveSeed } from '../../core/util/deriveSeed.js';
import { MappaError } from '../../core/util/MappaError.js';
import { Rng } from '../../core/util/Rng.js';

export type NoiseMode = 'random' | 'shift-blame';

export interface NoisyCoachOptions {
  readonly inner: Coach;
  /** Share of actions whose score is corrupted. */
  readonly rate: number;
  readonly mode: NoiseMode;
  /** Combined with the run seed, so three members of an ensemble can be noisy independently. */
  readonly seed: number;
  readonly runSeed: number;
}

/** The upstream neighbour's input, rebuilt from this action's input (same episode, one action earlier). */
function neighbourInput(input: CoachInput): CoachInput | undefined {
  const prev = input.previousActions.at(-1);
  if (!prev) return undefined;
  const sameAgent = prev.agentId === input.agent.id;
  return {
    task: input.task,
    agent: { id: prev.agentId, role: prev.role, position: sameAgent ? input.agent.position : Math.max(0, input.agent.position - 1), count: input.agent.count },
    agentInput: prev.inputText,
    action: prev.text,
    actionRecord: prev,
    ...(prev.toolOutput ? { toolOutput: prev.toolOutput } : {}),
    previousActions: input.previousActions.slice(0, -1),
    ...(input.groundTruth !== undefined ? { groundTruth: input.groundTruth } : {}),
    extras: {},
    ...(input.episode ? { episode: input.episode } : {}),
  };
}

/**
 * Corrupts another coach's scores at a given rate, to mimic an imperfect (LLM) coach in experiments:
 * `random` replaces the score by a uniform integer 0–10; `shift-blame` gives the action the score its upstream
 * neighbour (the episode's previous action) deserves, so blame lands next to the culprit. Which actions are hit
 * depends only on the run seed, this coach's seed, the episode seed and the action's index — never on timing.
 */
export class NoisyCoach implements Coach {
  readonly scope = 'action' as const;
  readonly name: string;
  readonly #o: NoisyCoachOptions;
  readonly #counts = { evaluations: 0, corrupted: 0, unshiftable: 0, changed: 0, unseeded: 0 };

  constructor(options: NoisyCoachOptions) {
    if (options.inner.scope !== 'action') {
      throw new MappaError(`the noisy coach wraps coaches that score single actions; ${options.inner.name} scores whole episodes`, {
        hint: 'wrap an action-scope coach (a rule or LLM coach); put `noisy` inside `hindsight` as its judge to combine both',
      });
    }
    this.#o = options;
    this.name = `noisy(${options.inner.name},${options.mode},${options.rate})`;
  }

  #rng(input: CoachInput): Rng {
    // Outside a run (e.g. `mappa coach eval`) there is no episode seed: the task and the action text stand in.
    if (!input.episode) this.#counts.unseeded++;
    const key = input.episode ? `episode:${input.episode.seed}` : `task:${input.task.id}:${input.action}`;
    return Rng.fromSeed(deriveSeed(this.#o.runSeed, 'noisy-coach', this.#o.seed, key, input.actionRecord.index));
  }

  async evaluate(input: CoachInput, options: CoachCallOptions = {}): Promise<CoachEvaluation> {
    this.#counts.evaluations++;
    const rng = this.#rng(input);
    const hit = rng.next() < this.#o.rate;
    const clean = await this.#o.inner.evaluate(input, options);
    if (!hit || clean.flags.fallback) return { ...clean, details: { ...clean.details, noisy: { corrupted: false } } };
    let score: number;
    let how: string;
    if (this.#o.mode === 'random') {
      score = rng.int(0, 10);
      how = `random score ${score}`;
    } else {
      const neighbour = neighbourInput(input);
      if (!neighbour) {
        this.#counts.unshiftable++;
        return { ...clean, details: { ...clean.details, noisy: { corrupted: false, unshiftable: true } } };
      }
      score = (await this.#o.inner.evaluate(neighbour, options)).score;
      how = `score of the upstream action ${neighbour.actionRecord.index} (${score})`;
    }
    this.#counts.corrupted++;
    if (score !== clean.score) this.#counts.changed++;
    return {
      ...clean,
      score,
      rationale: `[noisy: ${how} in place of ${clean.score}] ${clean.rationale}`,
      coach: this.name,
      details: { ...clean.details, noisy: { corrupted: true, mode: this.#o.mode, original: clean.score } },
    };
  }

  stats(): Readonly<Record<string, number>> {
    const inner = Object.fromEntries(Object.entries(this.#o.inner.stats?.() ?? {}).map(([k, v]) => [`inner_${k}`, v]));
    return { ...inner, ...this.#counts };
  }

  async onStepEnd(step: number): Promise<Readonly<Record<string, number>>> {
    return (await this.#o.inner.onStepEnd?.(step)) ?? {};
  }

  async dispose(): Promise<void> {
    await this.#o.inner.dispose?.();
  }
}
