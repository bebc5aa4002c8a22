import type { Rng } from '../../../core/util/Rng.js';
import { evaluateRational } from '../answers/evaluateRational.js';
import { parseMathExpression } from '../answers/parseMathExpression.js';
import type { Rational } from '../answers/Rational.js';

function valueOf(expr: string): Rational | undefined {
  try {
    return evaluateRational(parseMathExpression(expr, 'python'));
  } catch {
    return undefined;
  }
}

/** Changes one digit of one number in the text (`37+45` → `37+46`, `1.25` → `1.28`): a copy slip. */
export function slipNumber(text: string, rng: Rng): string {
  const nums = [...text.matchAll(/\d+(?:\.\d+)?/g)];
  if (nums.length === 0) return text;
  const m = rng.pick(nums);
  const digits = [...m[0]].map((c, i) => ({ c, i })).filter((d) => /\d/.test(d.c));
  // Prefer the last digit (the usual slip) but sometimes hit another one.
  const target = rng.next() < 0.7 ? digits.at(-1)! : rng.pick(digits);
  let d = target.c;
  while (d === target.c || (target.i === 0 && d === '0' && m[0].length > 1)) d = String(rng.int(0, 9));
  const changed = m[0].slice(0, target.i) + d + m[0].slice(target.i + 1);
  return text.slice(0, m.index) + changed + text.slice(m.index + m[0].length);
}

/**
 * Replaces one binary operator with another (`12+3*4` → `12-3*4`) so that the value changes and stays defined.
 * Returns the text unchanged when no such swap exists.
 */
export function swapOperator(expr: string, rng: Rng): string {
  const original = valueOf(expr);
  const positions = [...expr.matchAll(/(?<=[\d)])\s*([-+*/])/g)].map((m) => m.index + m[0].length - 1);
  for (const pos of rng.shuffle(positions)) {
    for (const op of rng.shuffle(['+', '-', '*'].filter((o) => o !== expr[pos]))) {
      const candidate = expr.slice(0, pos) + op + expr.slice(pos + 1);
      const v = valueOf(candidate);
      if (v && original && !v.equals(original)) return candidate;
    }
  }
  return expr;
}

/** A plausible wrong result near the right one (`82` → `83` or `72`), for drafts whose arithmetic slips. */
export function slipValue(value: Rational, rng: Rng): string {
  const text = value.toString();
  if (!value.isInteger()) return slipNumber(text, rng);
  const delta = rng.pick([-10, -2, -1, 1, 2, 10]);
  return (value.num + BigInt(delta)).toString();
}
