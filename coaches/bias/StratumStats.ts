/** Count, sum and sum of squares of the scores in one stratum (agent, task type, or both). */
export interface StratumAccumulator {
  count: number;
  sum: number;
  sumSq: number;
}

export function emptyAccumulator(): StratumAccumulator {
  return { count: 0, sum: 0, sumSq: 0 };
}

export function addScore(acc: StratumAccumulator, score: number): void {
  acc.count++;
  acc.sum += score;
  acc.sumSq += score * score;
}

export function accMean(acc: StratumAccumulator): number {
  return acc.count ? acc.sum / acc.count : 0;
}

export function accStd(acc: StratumAccumulator): number {
  if (acc.count < 2) return 0;
  const m = accMean(acc);
  return Math.sqrt(Math.max(0, acc.sumSq / acc.count - m * m));
}

/**
 * Scores per stratum key. Scores arriving during a step are pending; `commit()` folds them in sorted order, so the
 * committed statistics do not depend on the order in which concurrent evaluations finished.
 */
export class StratumStats {
  readonly #committed = new Map<string, StratumAccumulator>();
  #pending: Array<{ key: string; score: number }> = [];

  add(keys: readonly string[], score: number): void {
    for (const key of keys) this.#pending.push({ key, score });
  }

  commit(): void {
    const sorted = this.#pending.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.score - b.score));
    for (const { key, score } of sorted) {
      let acc = this.#committed.get(key);
      if (!acc) this.#committed.set(key, (acc = emptyAccumulator()));
      addScore(acc, score);
    }
    this.#pending = [];
  }

  /** Statistics as of the last commit (used for normalization, so it is stable within a step). */
  committed(key: string): StratumAccumulator {
    return this.#committed.get(key) ?? emptyAccumulator();
  }

  /** Committed plus pending statistics for every key (used for reporting running means). */
  live(): Map<string, StratumAccumulator> {
    const out = new Map<string, StratumAccumulator>();
    for (const [k, v] of this.#committed) out.set(k, { ...v });
    for (const { key, score } of this.#pending) {
      let acc = out.get(key);
      if (!acc) out.set(key, (acc = emptyAccumulator()));
      addScore(acc, score);
    }
    return out;
  }

  toJSON(): Record<string, StratumAccumulator> {
    return Object.fromEntries(this.#committed);
  }

  load(state: Readonly<Record<string, StratumAccumulator>>): void {
    this.#committed.clear();
    for (const [k, v] of Object.entries(state)) this.#committed.set(k, { ...v });
    this.#pending = [];
  }
}
