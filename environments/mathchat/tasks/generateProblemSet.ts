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

const MAX_ATTEMPTS = 500;

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
    while (problems.length < count) {
      let r = rng.next() * total;
      let level: Difficulty = 3;
      for (const [i, w] of o.difficultyMix.entries()) {
        if (r < w) {
          level = (i + 1) as Difficulty;
          break;
        }
        r -= w;
      }
      // Redraw within the level on duplicates, so a nearly exhausted level keeps its share of the mix.
      let p: GeneratedProblem | undefined;
      for (let attempt = 0; attempt < MAX_ATTEMPTS && (!p || seen.has(p.prompt)); attempt++) p = generateMathProblem(rng, level, o);
      if (!p || seen.has(p.prompt)) {
        throw new MappaError(`mathchat-generator: ran out of distinct level-${level} problems for split "${split}" (${problems.length} of ${count} made)`, {
          hint: 'ask for fewer problems, raise maxOperand, or give less weight to that level (few level-1 problems exist)',
        });
      }
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
