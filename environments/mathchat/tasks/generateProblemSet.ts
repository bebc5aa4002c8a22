import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { Rng } from '../../../core/util/Rng.js';
import type { Task } from '../../../core/model/Task.js';
import { type Difficulty, type GeneratedProblem, generateMathProblem, type ProblemRanges } from './generateMathProblem.js';

export interface ProblemSetOptions extends ProblemRanges {
  readonly seed: number;
  /** Problems per split, e.g. `{ train: 1000, test: 100 }`. */
  readonly counts: Readonly<Record<string, number>>;
  /** Weights of difficulty levels 1, 2, 3. */
  readonly difficultyMix: readonly [number, number, number];
}

/** Splits are generated in this order; every later split avoids the problems of the earlier ones. */
function splitOrder(counts: Readonly<Record<string, number>>): string[] {
  const rank = (s: string) => (s === 'test' ? 0 : s === 'train' ? 2 : 1);
  return Object.keys(counts).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Generates disjoint splits of problems (no prompt appears in two splits or twice in one). Each split has its own
 * random stream derived from the seed, and the test split is drawn first, so the test set stays the same when only
 * the training count changes.
 */
export function generateProblemSet(o: ProblemSetOptions): Map<string, GeneratedProblem[]> {
  const total = o.difficultyMix.reduce((s, w) => s + w, 0);
  if (!(total > 0)) throw new MappaError('difficultyMix must have a positive weight', { hint: 'e.g. difficultyMix: [0.3, 0.4, 0.3]' });
  const seen = new Set<string>();
  const out = new Map<string, GeneratedProblem[]>();
  for (const split of splitOrder(o.counts)) {
    const count = o.counts[split]!;
    const rng = Rng.fromSeed(deriveSeed(o.seed, 'mathchat-generator', split));
    const problems: GeneratedProblem[] = [];
    const maxAttempts = count * 50 + 1000;
    for (let attempt = 0; problems.length < count; attempt++) {
      if (attempt >= maxAttempts) {
        throw new MappaError(`mathchat-generator: only ${problems.length} distinct problems for split "${split}" (asked for ${count})`, {
          hint: 'ask for fewer problems, raise maxOperand, or give more weight to the harder levels (fewer level-1 problems exist)',
        });
      }
      let r = rng.next() * total;
      let level: Difficulty = 3;
      for (const [i, w] of o.difficultyMix.entries()) {
        if (r < w) {
          level = (i + 1) as Difficulty;
          break;
        }
        r -= w;
      }
      const p = generateMathProblem(rng, level, o);
      if (!p || seen.has(p.prompt)) continue;
      seen.add(p.prompt);
      problems.push(p);
    }
    out.set(split, problems);
  }
  return out;
}

/** The task for a generated problem: the answer is the ground truth; the solution stays out of the task. */
export function problemToTask(p: GeneratedProblem, split: string, index: number): Task {
  return {
    id: `${split}-${String(index).padStart(4, '0')}`,
    split,
    prompt: p.prompt,
    groundTruth: p.answer,
    metadata: { taskType: p.taskType, difficulty: p.difficulty, kind: p.kind, source: 'mathchat-generator' },
  };
}
