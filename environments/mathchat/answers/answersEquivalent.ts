import { parseAnswer, type ParsedAnswer } from './parseAnswer.js';
import { Rational } from './Rational.js';

export interface EquivalenceOptions {
  /** Accept numbers within this relative difference (default 0: exact; `0.3333` is not `1/3`). */
  readonly relTol?: number;
}

const HUNDRED = Rational.of(100n);

function numbersEqual(a: Rational, b: Rational, relTol: number): boolean {
  if (a.equals(b)) return true;
  if (relTol <= 0) return false;
  const x = a.toNumber();
  const y = b.toNumber();
  return Math.abs(x - y) <= relTol * Math.max(Math.abs(x), Math.abs(y));
}

function textKey(s: string): string {
  let t = s.replace(/\s+/g, '');
  while (/^\{.*\}$/.test(t)) t = t.slice(1, -1);
  const choice = /^\(?([A-Ea-e])\)?$/.exec(t);
  return choice ? choice[1]!.toUpperCase() : t;
}

function parsedEqual(a: ParsedAnswer, b: ParsedAnswer, relTol: number): boolean {
  if (a.kind === 'number' && b.kind === 'number') {
    if (a.percent === b.percent) return numbersEqual(a.value, b.value, relTol);
    // One side is a percentage: `25%` matches `25` (the unit dropped) and `0.25` (the fraction it denotes).
    const [p, q] = a.percent ? [a, b] : [b, a];
    return numbersEqual(p.value, q.value, relTol) || numbersEqual(p.value.div(HUNDRED), q.value, relTol);
  }
  if (a.kind === 'text' && b.kind === 'text') return a.normalized !== '' && textKey(a.normalized) === textKey(b.normalized);
  return false;
}

/**
 * Whether two answers mean the same: exact rational comparison for numbers (`0.5` = `1/2` = `\dfrac{1}{2}` = `50\%`
 * of 1, `1,000` = `1000`, `4.0` = `4`), otherwise comparison of the normalized text (`(B)` = `B`). Never evaluates code.
 */
export function answersEquivalent(candidate: string | number, truth: string | number, options: EquivalenceOptions = {}): boolean {
  return parsedEqual(parseAnswer(String(candidate)), parseAnswer(String(truth)), options.relTol ?? 0);
}
