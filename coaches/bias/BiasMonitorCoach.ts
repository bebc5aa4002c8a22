import { readFileSync } from 'node:fs';
import type { Coach, CoachCallOptions, CoachInput } from '../../core/contracts/Coach.js';
import type { Logger } from '../../core/contracts/Logger.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { writeSecretFree } from '../../core/util/writeSecretFree.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { accMean, accStd, type StratumAccumulator, StratumStats } from './StratumStats.js';

export type NormalizeBy = 'none' | 'agent' | 'task-type' | 'agent-task-type';

export interface CalibrationItem {
  readonly id: string;
  readonly input: CoachInput;
  /** A reference score (e.g. from a human); drift is also measured against it when given. */
  readonly expectedScore?: number | undefined;
}

export interface BiasMonitorOptions {
  readonly inner: Coach;
  /** Task metadata field holding the task type (e.g. classification / regression). */
  readonly taskTypeKey: string;
  readonly normalize: NormalizeBy;
  /** `center`: remove the stratum's mean offset; `zscore`: also match its spread to the overall spread. */
  readonly normalizeMethod: 'center' | 'zscore';
  /** Scores a stratum needs (from earlier steps) before its scores are normalized. */
  readonly minCount: number;
  readonly calibration?: { readonly items: readonly CalibrationItem[]; readonly every: number; readonly warnAbove: number } | undefined;
  /** JSON file keeping the statistics and the calibration baseline across a resume. */
  readonly stateFile?: string | undefined;
  readonly logger?: Logger | undefined;
}

interface SavedState {
  readonly version: 1;
  readonly step: number;
  readonly strata: Record<string, StratumAccumulator>;
  readonly baseline?: Record<string, number>;
}

const ALL = 'all';

/**
 * Watches a coach for bias: running mean score per agent, per task type and per agent × task type (the MAPPA
 * lesson: regression actions scored 0.5–1.8 points above classification ones, and the agents drifted towards
 * them), exposed through `stats()`. A calibration set of fixed actions is re-scored every N steps, bypassing the
 * cache, to report drift. Optionally scores are normalized per stratum using statistics from earlier steps only,
 * so the normalization does not depend on the order in which evaluations finish.
 */
export class BiasMonitorCoach implements Coach {
  readonly name: string;
  readonly scope: 'action' | 'episode';
  readonly #o: BiasMonitorOptions;
  readonly #stats = new StratumStats();
  readonly #logger: Logger;
  #baseline: Map<string, number> | undefined;
  #lastCalibration: Record<string, number> = {};
  #fallbacks = 0;
  #normalized = 0;

  constructor(options: BiasMonitorOptions) {
    this.#o = options;
    this.name = options.inner.name;
    this.scope = options.inner.scope;
    this.#logger = options.logger ?? silentLogger;
    if (options.stateFile) this.#load(options.stateFile);
    if (options.inner.scope === 'episode') this.evaluateEpisode = this.#evaluateEpisode.bind(this);
    if (options.inner.renderPrompt) this.renderPrompt = options.inner.renderPrompt.bind(options.inner);
  }

  evaluateEpisode?: (episode: EpisodeRecord, options?: CoachCallOptions) => Promise<CoachEvaluation[]>;

  /** The inner coach's prompt, present when the inner coach has one (for `mappa coach eval --show-prompt`). */
  renderPrompt?: (input: CoachInput) => Promise<string>;

  async evaluate(input: CoachInput, options?: CoachCallOptions): Promise<CoachEvaluation> {
    const evaluation = await this.#o.inner.evaluate(input, options);
    return this.#observe(evaluation, input.agent.id, input.task.metadata[this.#o.taskTypeKey]);
  }

  async #evaluateEpisode(episode: EpisodeRecord, options?: CoachCallOptions): Promise<CoachEvaluation[]> {
    const evaluations = await this.#o.inner.evaluateEpisode!(episode, options);
    const type = episode.taskMetadata[this.#o.taskTypeKey];
    return evaluations.map((e, i) => this.#observe(e, episode.actions[i]?.agentId ?? 'unknown', type));
  }

  #keys(agent: string, type: string): { all: string[]; stratum: string | undefined } {
    const keys = [ALL, `agent/${agent}`, `task_type/${type}`, `agent_task_type/${agent}/${type}`];
    const by = this.#o.normalize;
    const stratum =
      by === 'agent' ? `agent/${agent}` : by === 'task-type' ? `task_type/${type}` : by === 'agent-task-type' ? `agent_task_type/${agent}/${type}` : undefined;
    return { all: keys, stratum };
  }

  #observe(evaluation: CoachEvaluation, agent: string, rawType: unknown): CoachEvaluation {
    if (evaluation.flags.fallback) {
      this.#fallbacks++;
      return evaluation;
    }
    const type = typeof rawType === 'string' && rawType !== '' ? rawType : 'unknown';
    const { all, stratum } = this.#keys(agent, type);
    this.#stats.add(all, evaluation.score);
    if (!stratum) return evaluation;
    const s = this.#stats.committed(stratum);
    if (s.count < this.#o.minCount) return { ...evaluation, details: { ...evaluation.details, normalization: { stratum, applied: false, count: s.count } } };
    const g = this.#stats.committed(ALL);
    const sStd = accStd(s);
    const useZ = this.#o.normalizeMethod === 'zscore' && sStd > 1e-6;
    const shifted = useZ ? accMean(g) + ((evaluation.score - accMean(s)) / sStd) * accStd(g) : evaluation.score - accMean(s) + accMean(g);
    const score = Math.min(10, Math.max(0, shifted));
    this.#normalized++;
    return {
      ...evaluation,
      score,
      details: {
        ...evaluation.details,
        rawScore: evaluation.score,
        normalization: { stratum, applied: true, method: useZ ? 'zscore' : 'center', stratumMean: accMean(s), overallMean: accMean(g) },
      },
    };
  }

  restoreStats(saved: Readonly<Record<string, number>>): void {
    this.#o.inner.restoreStats?.(saved);
  }

  stats(): Readonly<Record<string, number>> {
    const out: Record<string, number> = { ...(this.#o.inner.stats?.() ?? {}) };
    const typeMeans: number[] = [];
    for (const [key, acc] of [...this.#stats.live()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (key === ALL) continue;
      out[`bias/mean/${key}`] = accMean(acc);
      out[`bias/count/${key}`] = acc.count;
      if (key.startsWith('task_type/')) typeMeans.push(accMean(acc));
    }
    // The gap between the best- and worst-scored task types: the number to watch for task-type bias.
    if (typeMeans.length >= 2) out['bias/task_type_gap'] = Math.max(...typeMeans) - Math.min(...typeMeans);
    out['bias/fallbacks_seen'] = this.#fallbacks;
    out['bias/normalized'] = this.#normalized;
    for (const [k, v] of Object.entries(this.#lastCalibration)) out[k] = v;
    return out;
  }

  async onStepEnd(step: number): Promise<Readonly<Record<string, number>>> {
    this.#stats.commit();
    const out: Record<string, number> = { ...((await this.#o.inner.onStepEnd?.(step)) ?? {}) };
    const cal = this.#o.calibration;
    if (cal && cal.items.length > 0 && (this.#baseline === undefined || step % cal.every === 0)) {
      Object.assign(out, await this.#calibrate(cal.items, cal.warnAbove, step));
    }
    if (this.#o.stateFile) await this.#save(this.#o.stateFile, step);
    return out;
  }

  async #calibrate(items: readonly CalibrationItem[], warnAbove: number, step: number): Promise<Record<string, number>> {
    // Bypass the cache: a cached answer cannot drift, and drift is what this measures.
    const options: CoachCallOptions = { cache: 'bypass' };
    const results = await Promise.all(items.map(async (item) => ({ item, e: await this.#o.inner.evaluate(item.input, options) })));
    const usable = results.filter((r) => !r.e.flags.fallback);
    const out: Record<string, number> = {
      'calibration/items': items.length,
      'calibration/fallbacks': results.length - usable.length,
    };
    if (usable.length === 0) {
      this.#logger.warn(`coach ${this.name}: every calibration item fell back at step ${step}; drift unknown`);
      this.#lastCalibration = out;
      return out;
    }
    out['calibration/mean'] = usable.reduce((s, r) => s + r.e.score, 0) / usable.length;
    if (this.#baseline === undefined) {
      this.#baseline = new Map(usable.map((r) => [r.item.id, r.e.score]));
    } else {
      const diffs = usable.flatMap((r) => {
        const b = this.#baseline!.get(r.item.id);
        return b === undefined ? [] : [r.e.score - b];
      });
      if (diffs.length > 0) {
        out['calibration/drift'] = diffs.reduce((s, d) => s + d, 0) / diffs.length;
        out['calibration/mean_abs_drift'] = diffs.reduce((s, d) => s + Math.abs(d), 0) / diffs.length;
        out['calibration/max_abs_drift'] = Math.max(...diffs.map(Math.abs));
        if (out['calibration/mean_abs_drift']! > warnAbove) {
          this.#logger.warn(
            `coach ${this.name}: calibration scores drifted by ${out['calibration/mean_abs_drift']!.toFixed(2)} on average since the baseline (step ${step})`,
          );
        }
      }
    }
    const expected = usable.filter((r) => r.item.expectedScore !== undefined);
    if (expected.length > 0) out['calibration/expected_mae'] = expected.reduce((s, r) => s + Math.abs(r.e.score - r.item.expectedScore!), 0) / expected.length;
    this.#lastCalibration = out;
    return out;
  }

  #load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    const state = JSON.parse(text) as SavedState;
    if (state.version !== 1) return;
    this.#stats.load(state.strata);
    if (state.baseline) this.#baseline = new Map(Object.entries(state.baseline));
  }

  async #save(file: string, step: number): Promise<void> {
    const state: SavedState = {
      version: 1,
      step,
      strata: this.#stats.toJSON(),
      ...(this.#baseline ? { baseline: Object.fromEntries(this.#baseline) } : {}),
    };
    await writeSecretFree(file, JSON.stringify(state, null, 2));
  }

  async dispose(): Promise<void> {
    await this.#o.inner.dispose?.();
  }
}
