import type { Rng } from '../../../core/util/Rng.js';
import { evaluateRational } from '../answers/evaluateRational.js';
import { parseMathExpression } from '../answers/parseMathExpression.js';
import { evaluatePython, pythonRepr } from '../answers/pythonArithmetic.js';
import { Rational } from '../answers/Rational.js';

export type MathTaskType = 'arithmetic' | 'fraction' | 'word';
export type Difficulty = 1 | 2 | 3;

/** A generated problem with its solution: the expression that solves it (never shown to agents or the coach). */
export interface GeneratedProblem {
  readonly prompt: string;
  /** The exact answer, e.g. `82` or `5/4`. */
  readonly answer: string;
  /** A Python-and-maths expression whose value is the answer, e.g. `12+3*4`. */
  readonly solution: string;
  readonly taskType: MathTaskType;
  readonly difficulty: Difficulty;
  /** Template family, e.g. `add`, `two-op`, `word-share`, `fraction-sum`. */
  readonly kind: string;
}

export interface ProblemRanges {
  /** Largest operand per difficulty level (index 0 = level 1). */
  readonly maxOperand: readonly [number, number, number];
  /** Weights of word problems and fraction/division problems within level 3. */
  readonly level3: { readonly word: number; readonly fraction: number };
}

const NAMES = ['Ann', 'Ben', 'Cy', 'Dana', 'Eli', 'Fay', 'Gus', 'Ivy', 'Jo', 'Kim'];
const ITEMS = ['apple', 'pen', 'card', 'egg', 'book', 'coin', 'shell', 'cup'];

interface Draft {
  readonly prompt: string;
  readonly solution: string;
  readonly taskType: MathTaskType;
  readonly kind: string;
}

function level1(rng: Rng, max: number): Draft {
  const a = rng.int(1, max);
  const b = rng.int(1, max);
  if (rng.next() < 0.5) return { prompt: `What is ${a}+${b}?`, solution: `${a}+${b}`, taskType: 'arithmetic', kind: 'add' };
  const [hi, lo] = a >= b ? [a, b] : [b, a];
  return { prompt: `What is ${hi}-${lo}?`, solution: `${hi}-${lo}`, taskType: 'arithmetic', kind: 'sub' };
}

function level2(rng: Rng, max: number): Draft {
  const a = rng.int(1, max);
  const b = rng.int(1, max);
  const c = rng.int(1, max);
  const forms = [`${a}+${b}*${c}`, `${a}*${b}+${c}`, `${a}*${b}-${c}`, `${a}+${b}-${c}`, `(${a}+${b})*${c}`, `${a}*${b}*${c}`];
  const expr = rng.pick(forms);
  return { prompt: `What is ${expr}?`, solution: expr, taskType: 'arithmetic', kind: 'two-op' };
}

function word(rng: Rng, max: number): Draft {
  const name = rng.pick(NAMES);
  const item = rng.pick(ITEMS);
  const a = rng.int(2, max);
  const b = rng.int(2, max);
  const c = rng.int(2, Math.max(2, Math.floor(max / 2)));
  const small = rng.int(2, 9);
  const kinds: Array<() => Draft> = [
    () => ({ prompt: `${name} has ${a} ${item}s and gets ${b} more. How many ${item}s now?`, solution: `${a}+${b}`, taskType: 'word', kind: 'word-add' }),
    () => {
      const [hi, lo] = a >= b ? [a, b] : [b, a];
      return { prompt: `${name} has ${hi} ${item}s and gives away ${lo}. How many are left?`, solution: `${hi}-${lo}`, taskType: 'word', kind: 'word-sub' };
    },
    () => ({ prompt: `${name} buys ${small} bags of ${b} ${item}s. How many ${item}s?`, solution: `${small}*${b}`, taskType: 'word', kind: 'word-mul' }),
    () => ({
      prompt: `${name} shares ${small * c} ${item}s equally among ${small} friends. How many each?`,
      solution: `${small * c}/${small}`,
      taskType: 'word',
      kind: 'word-share',
    }),
    () => ({
      prompt: `${name} has ${a} ${item}s and buys ${small} bags of ${c}. How many ${item}s now?`,
      solution: `${a}+${small}*${c}`,
      taskType: 'word',
      kind: 'word-two-step',
    }),
  ];
  return rng.pick(kinds)();
}

function fraction(rng: Rng): Draft {
  // Denominators 2, 4, 8 keep every intermediate float exact, so Python prints the exact answer.
  const b = rng.pick([2, 4, 8]);
  const d = rng.pick([2, 4, 8]);
  const a = rng.int(1, 2 * b - 1);
  const c = rng.int(1, 2 * d - 1);
  const k = rng.int(2, 9);
  const n = rng.int(3, 40);
  const q = rng.pick([2, 4, 5, 8]);
  const forms: Array<[string, string]> = [
    [`${a}/${b}+${c}/${d}`, 'fraction-sum'],
    [`${a}/${b}*${k}`, 'fraction-scale'],
    [`${n}/${q}`, 'division'],
  ];
  const [expr, kind] = rng.pick(forms);
  return { prompt: `What is ${expr}?`, solution: expr, taskType: 'fraction', kind };
}

/**
 * One random problem of the given difficulty, or `undefined` when the draw is unusable (negative answer, or a Python
 * float that would not print the exact answer, so the Code Executor could never be right).
 *
 * - level 1: `a+b` or `a-b` with small numbers;
 * - level 2: two operations (`a+b*c`, `(a+b)*c`, …);
 * - level 3: short word problems (one or two steps, exact division) or fractions and divisions with exact answers.
 */
export function generateMathProblem(rng: Rng, difficulty: Difficulty, ranges: ProblemRanges): GeneratedProblem | undefined {
  const max = ranges.maxOperand[difficulty - 1]!;
  let draft: Draft;
  if (difficulty === 1) draft = level1(rng, max);
  else if (difficulty === 2) draft = level2(rng, max);
  else {
    const total = ranges.level3.word + ranges.level3.fraction;
    draft = rng.next() * total < ranges.level3.word ? word(rng, max) : fraction(rng);
  }
  const exact = evaluateRational(parseMathExpression(draft.solution, 'math'));
  if (exact.num < 0n) return undefined;
  const printed = pythonRepr(evaluatePython(parseMathExpression(draft.solution, 'python')));
  if (!Rational.fromDecimal(printed).equals(exact)) return undefined;
  return { ...draft, answer: exact.toString(), difficulty };
}
