/** Token usage of one coach call (summed over retries and the repair prompt). */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Estimated cost in US dollars, when prices are configured for the model. */
  readonly costUsd?: number;
}

/** What a coach says about one action. */
export interface CoachEvaluation {
  /** Process score in [0, 10]. */
  readonly score: number;
  readonly rationale: string;
  /** Optional outcome verdict, e.g. `{ name: 'ANSWER_CORRECT', value: 1 }`. */
  readonly outcome?: { readonly name: string; readonly value: number };
  /** The coach's raw response text (empty for rule coaches that build the rationale themselves). */
  readonly raw: string;
  readonly usage?: TokenUsage;
  readonly flags: {
    /** The first response could not be parsed and a format-repair prompt produced this one. */
    readonly repaired: boolean;
    /** No usable score could be obtained; `score` is the configured neutral fallback. */
    readonly fallback: boolean;
    /** Served from the on-disk cache. */
    readonly cached: boolean;
  };
  /** Why a fallback happened (never contains secrets). */
  readonly error?: string;
  /** Name of the coach (or ensemble member list) that produced this evaluation. */
  readonly coach: string;
  /** Extra structured details, e.g. ensemble member scores or blame targets. */
  readonly details?: Readonly<Record<string, unknown>>;
}
