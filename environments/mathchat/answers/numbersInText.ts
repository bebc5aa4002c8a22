import { extractBoxed } from './extractBoxed.js';
import { parseAnswer } from './parseAnswer.js';

const NUMBER = /-?\d+(?:,\d{3})*(?:\.\d+)?(?:\/\d+)?/g;

/** Every number literal in a text (`37`, `-2.5`, `3/4` as written), in order; used to spot numbers copied wrong. */
export function numberLiterals(text: string): string[] {
  return [...text.matchAll(/\d+(?:\.\d+)?/g)].map((m) => m[0]);
}

/** A bare expression such as `37+45` states no answer (a lone `-8` or fraction `5/4` does). */
export function isBareExpression(text: string): boolean {
  const t = text.trim();
  if (!/^[-+*/^().\d\s]+$/.test(t) || /^-?\d+(?:\.\d+)?(?:\/\d+)?$/.test(t)) return false;
  return /\d\s*[-+*/^]\s*[\d(]/.test(t);
}

/**
 * The answer a piece of text commits to: its last `\boxed{…}`, else what follows its last `=` (when that is a
 * number), else its last number; a bare expression (`37+45`) commits to none. `37+45=82` → `82`;
 * `I get 12 apples.` → `12`.
 */
export function finalNumber(text: string): string | undefined {
  const boxed = extractBoxed(text);
  if (boxed !== undefined) return boxed;
  const eq = text.lastIndexOf('=');
  if (eq >= 0) {
    const after = /^\s*([^\n=]*)/.exec(text.slice(eq + 1))?.[1]?.trim().replace(/[.,;:!?]+$/, '');
    if (after && parseAnswer(after).kind === 'number') return after;
  }
  if (isBareExpression(text)) return undefined;
  const all = [...text.matchAll(NUMBER)];
  return all.at(-1)?.[0];
}

/** The expression a draft computes: what precedes the last `=` on its line (`37+45=82` → `37+45`), if any. */
export function expressionBeforeEquals(text: string): string | undefined {
  const eq = text.lastIndexOf('=');
  if (eq < 0) return undefined;
  const line = text.slice(0, eq).split('\n').at(-1)!;
  // Keep the arithmetic tail of the line (`So the total is 12+3*4` → `12+3*4`).
  const m = /[-+*/^().\d\s\\{}a-z]*$/.exec(line);
  const expr = (m?.[0] ?? '').replace(/^[^-(\d\\]+/, '').trim();
  return expr || undefined;
}

/** The number a program printed: the final number on the last non-empty line of its stdout. */
export function printedNumber(stdout: string): string | undefined {
  const line = stdout.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
  if (line === undefined) return undefined;
  if (parseAnswer(line).kind === 'number') return line;
  return finalNumber(line);
}
