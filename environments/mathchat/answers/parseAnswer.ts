import { evaluateRational } from './evaluateRational.js';
import { normalizeAnswer } from './normalizeAnswer.js';
import { parseMathExpression } from './parseMathExpression.js';
import type { Rational } from './Rational.js';

/** An answer read as an exact number (possibly written as a percentage), or as normalized text when it is not one. */
export type ParsedAnswer =
  | { readonly kind: 'number'; readonly value: Rational; readonly percent: boolean; readonly normalized: string }
  | { readonly kind: 'text'; readonly normalized: string };

function tryValue(s: string): Rational | undefined {
  try {
    return evaluateRational(parseMathExpression(s, 'math'));
  } catch {
    return undefined;
  }
}

/**
 * Reads an answer: `41`, `-3/4`, `\frac{1}{2}`, `0.50`, `1,000`, `2^{10}`, `3\frac{1}{2}`, `12 apples`, `50\%`.
 * A percentage is recognised only as a trailing `%` on a whole answer, never inside an expression.
 */
export function parseAnswer(raw: string): ParsedAnswer {
  const normalized = normalizeAnswer(raw);
  let body = normalized;
  let percent = false;
  if (/^[^%]+%$/.test(body)) {
    percent = true;
    body = body.slice(0, -1).trim();
  }
  let value = tryValue(body);
  if (value === undefined) {
    // Trailing units (`12 apples`, `5 cm`) after a number.
    const unitless = /^(.*[\d})])\s+[A-Za-z][A-Za-z .]*$/.exec(body)?.[1];
    if (unitless !== undefined) value = tryValue(unitless);
  }
  if (value !== undefined) return { kind: 'number', value, percent, normalized };
  return { kind: 'text', normalized };
}
