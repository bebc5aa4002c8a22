/** What an agent does in the MathChat chain, whatever its id or role name. */
export type MathChatRole = 'solver' | 'coder' | 'verifier';

export interface RoleHints {
  /** The agent has the code tool. */
  readonly usesCode?: boolean;
  /** The agent is the last of the chain (its output is graded). */
  readonly isLast?: boolean;
  /** Role names mapped explicitly, e.g. `{ 'Python Helper': 'coder' }`; these win over the name patterns. */
  readonly overrides?: Readonly<Record<string, MathChatRole>>;
}

/**
 * Infers the MathChat role from the role name the pipeline gives (`Problem Solver`, `Code Executor`, `Verifier`, and
 * the reference code's `generator`/`coder`/`refiner`), then from the hints: the code tool means a coder, the last
 * agent a verifier, anything else a solver.
 */
export function inferMathChatRole(role: string, hints: RoleHints = {}): MathChatRole {
  const explicit = hints.overrides?.[role];
  if (explicit) return explicit;
  if (/code|coder|executor|program|python/i.test(role)) return 'coder';
  if (/verif|refine|final|check|judge|critic|review/i.test(role)) return 'verifier';
  if (/solv|generat|draft|plan|reason/i.test(role)) return 'solver';
  if (hints.usesCode) return 'coder';
  return hints.isLast ? 'verifier' : 'solver';
}
