import type { MathExpr } from './parseMathExpression.js';
import { Rational } from './Rational.js';

/** Results larger than this many bits (numerator plus denominator) are refused, so `9^9^9` cannot hang a check. */
const MAX_BITS = 4096;

function bounded(r: Rational): Rational {
  if (r.bitLength() > MAX_BITS) throw new RangeError('number too large');
  return r;
}

/**
 * Exact value of an expression as a rational number. Throws `RangeError` on division by zero, non-integer or huge
 * exponents, and results beyond a size limit. `//` and `%` (Python dialect) use Python's floor semantics.
 */
export function evaluateRational(e: MathExpr): Rational {
  switch (e.type) {
    case 'num':
      return e.value;
    case 'neg':
      return evaluateRational(e.arg).neg();
    case 'bin': {
      const a = evaluateRational(e.left);
      const b = evaluateRational(e.right);
      switch (e.op) {
        case '+':
          return bounded(a.add(b));
        case '-':
          return bounded(a.sub(b));
        case '*':
          return bounded(a.mul(b));
        case '/':
          return bounded(a.div(b));
        case '//':
        case '%': {
          const q = a.div(b);
          // Floor toward −∞ like Python.
          let fl = q.num / q.den;
          if (q.num < 0n && q.num % q.den !== 0n) fl -= 1n;
          const floor = Rational.of(fl);
          return e.op === '//' ? floor : bounded(a.sub(b.mul(floor)));
        }
        case '^': {
          if (!b.isInteger()) throw new RangeError('only integer exponents are supported');
          const bits = Math.max(1, a.bitLength());
          if (b.num > 4096n || b.num < -4096n || bits * Math.abs(Number(b.num)) > MAX_BITS * 2) throw new RangeError('exponent too large');
          return bounded(a.pow(b.num));
        }
      }
    }
  }
}
