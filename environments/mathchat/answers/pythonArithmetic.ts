import type { MathExpr } from './parseMathExpression.js';
import { evaluateRational } from './evaluateRational.js';
import { Rational } from './Rational.js';

/** A Python number: `int` (arbitrary precision) or `float` (IEEE double). */
export type PythonNumber = { readonly kind: 'int'; readonly value: bigint } | { readonly kind: 'float'; readonly value: number };

/** Python's `ZeroDivisionError`, with Python 3.11's messages. */
export class PythonZeroDivisionError extends Error {
  override readonly name = 'ZeroDivisionError';
}

const toFloat = (x: PythonNumber): number => (x.kind === 'float' ? x.value : Number(x.value));

function floorDivInt(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/**
 * Evaluates an expression (parsed with the `python` dialect) with Python 3 semantics: `int` stays exact for
 * `+ - * // % **`, `/` always gives a float, and a float operand makes the result a float. Used to predict exactly
 * what `print(expr)` shows without running Python (demonstrations), never to run agent code.
 */
export function evaluatePython(e: MathExpr): PythonNumber {
  switch (e.type) {
    case 'num':
      return e.isFloat ? { kind: 'float', value: e.value.toNumber() } : { kind: 'int', value: e.value.num };
    case 'neg': {
      const v = evaluatePython(e.arg);
      return v.kind === 'int' ? { kind: 'int', value: -v.value } : { kind: 'float', value: -v.value };
    }
    case 'bin': {
      const a = evaluatePython(e.left);
      const b = evaluatePython(e.right);
      if (a.kind === 'int' && b.kind === 'int') {
        switch (e.op) {
          case '+':
            return { kind: 'int', value: a.value + b.value };
          case '-':
            return { kind: 'int', value: a.value - b.value };
          case '*':
            return { kind: 'int', value: a.value * b.value };
          case '/':
            if (b.value === 0n) throw new PythonZeroDivisionError('division by zero');
            // Python rounds int/int correctly; going through the exact rational does the same for our sizes.
            return { kind: 'float', value: Rational.of(a.value, b.value).toNumber() };
          case '//':
          case '%':
            if (b.value === 0n) throw new PythonZeroDivisionError('integer division or modulo by zero');
            return e.op === '//'
              ? { kind: 'int', value: floorDivInt(a.value, b.value) }
              : { kind: 'int', value: a.value - b.value * floorDivInt(a.value, b.value) };
          case '^':
            if (b.value >= 0n) return { kind: 'int', value: evaluateRational(e).num };
            if (a.value === 0n) throw new PythonZeroDivisionError('0.0 cannot be raised to a negative power');
            return { kind: 'float', value: Number(a.value) ** Number(b.value) };
        }
      }
      const x = toFloat(a);
      const y = toFloat(b);
      switch (e.op) {
        case '+':
          return { kind: 'float', value: x + y };
        case '-':
          return { kind: 'float', value: x - y };
        case '*':
          return { kind: 'float', value: x * y };
        case '/':
          if (y === 0) throw new PythonZeroDivisionError('float division by zero');
          return { kind: 'float', value: x / y };
        case '//':
          if (y === 0) throw new PythonZeroDivisionError('float floor division by zero');
          return { kind: 'float', value: Math.floor(x / y) };
        case '%':
          if (y === 0) throw new PythonZeroDivisionError('float modulo');
          return { kind: 'float', value: x - y * Math.floor(x / y) };
        case '^':
          return { kind: 'float', value: x ** y };
      }
    }
  }
}

/** Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16, always a `.0` or exponent. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac || '0'}`;
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** What `print(value)` shows. */
export function pythonRepr(v: PythonNumber): string {
  return v.kind === 'int' ? v.value.toString() : pythonFloatRepr(v.value);
}
