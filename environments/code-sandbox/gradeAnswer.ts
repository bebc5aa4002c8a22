import type { Outcome } from '../../core/model/Episode.js';

const normalize = (s: string) => s.trim().replace(/^\$+|\$+$/g, '').replace(/\s+/g, '').replace(/\.$/, '').toLowerCase();

function asNumber(s: string): number | undefined {
  const t = s.replace(/,/g, '').replace(/^\$+|\$+$/g, '').trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return undefined;
  return Number(t);
}

/** The expected answer in a task's ground truth: a string or number, or `{ answer }`. */
export function expectedAnswer(groundTruth: unknown): string | undefined {
  if (typeof groundTruth === 'string' || typeof groundTruth === 'number') return String(groundTruth);
  if (groundTruth && typeof groundTruth === 'object' && 'answer' in groundTruth) return String((groundTruth as { answer: unknown }).answer);
  return undefined;
}

/**
 * Extracts the final answer (last match of `pattern`, its first group) and compares it with the ground truth:
 * numerically within a relative tolerance when both are numbers, otherwise as normalised text.
 */
export function gradeAnswer(output: string, groundTruth: unknown, pattern: string, tolerance: number): Omit<Outcome, 'metrics'> {
  const matches = [...output.matchAll(new RegExp(pattern, 'g'))];
  const m = matches.at(-1);
  const answer = m ? (m[1] ?? m[0]).trim() : undefined;
  if (answer === undefined) return { success: false };
  const expected = expectedAnswer(groundTruth);
  if (expected === undefined) return { success: true, answer };
  const a = asNumber(answer);
  const b = asNumber(expected);
  const correct = a !== undefined && b !== undefined ? Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)) : normalize(answer) === normalize(expected);
  return { success: true, correct, answer };
}
