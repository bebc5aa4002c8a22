/**
 * `mappa-rl`: the canonical, token-exact export of training samples for trainers outside this process (PyTorch,
 * TRL, OpenRLHF, verl). One record per action, snake_case because its readers are mostly Python. JSONL by default
 * (one record per line), Parquet for large runs (same columns). A batch file written for an external trainer holds
 * the records of one agent (or of the agents sharing one policy) for one step, next to a `MappaRlBatchMeta` JSON.
 *
 * The JSON Schema in `schema/mappa-rl.schema.json` documents the same shape for non-TypeScript readers.
 */
export interface MappaRlRecord {
  /** Always `'mappa-rl'`. */
  readonly format: 'mappa-rl';
  /** Format version; bumped on incompatible changes. */
  readonly format_version: 1;
  readonly run: string;
  readonly step: number;
  readonly split: 'train' | 'eval';
  readonly episode_id: string;
  readonly task_id: string;
  /**
   * The trainers' group key, `<episode group>/<agent>/<turn index>`: actions of the same agent at the same turn on
   * samples of the same task in the same step share it (GRPO / RLOO / REINFORCE++-baseline groups).
   */
  readonly group_id: string;
  readonly agent_id: string;
  readonly role: string;
  readonly policy_id: string;
  /** Index of the action in the episode (across agents) and within the agent's turn. */
  readonly action_index: number;
  readonly turn_index: number;
  /** Exact ids of the context the policy conditioned on (chat template applied, previous actions and tool output). */
  readonly context_ids: readonly number[];
  /** Exact generated ids. */
  readonly action_ids: readonly number[];
  /**
   * 1 for tokens the policy produced and that train, 0 for tokens that must not (same length as action_ids); all 0
   * when the record does not train (`trainable: false`).
   */
  readonly loss_mask: readonly number[];
  /** Log-probs of action_ids under the generating policy (empty when the server did not return them). */
  readonly rollout_logprobs: readonly number[];
  /** Policy version that generated the action (the served weights' version for remote policies). */
  readonly policy_version: number;
  readonly finish_reason: 'stop' | 'length' | 'error';
  /** The action was cut at the length limit (mappa's trainers mask such actions out by default). */
  readonly truncated: boolean;
  /** The coach's 0–10 score, or null when the action was not scored. */
  readonly score: number | null;
  readonly coach: {
    readonly name: string;
    readonly fallback: boolean;
    readonly repaired: boolean;
    readonly cached: boolean;
    readonly rationale: string;
  } | null;
  /** Scalar reward: score × the pipeline's reward scale (what mappa's trainers put at the last action token). */
  readonly reward: number;
  /**
   * Per-token advantages from the pipeline's configured estimator over this record's selection (same length as
   * action_ids), computed from rewards only: estimators that put a KL penalty in the reward (REINFORCE++ k1) need the
   * reference model, so an external trainer that wants the KL term recomputes them (the reference trainer does).
   * All 0 for records that do not train. Computed over the step's trained actions, as the trainer does (per agent,
   * or over every agent with `normalization: global`), whatever subset is exported.
   */
  readonly advantages: readonly number[];
  /** The estimator that produced `advantages` (e.g. `reinforce++`, `grpo`, `reinforce++-baseline`). */
  readonly advantage_estimator: string;
  /** Whether this record counts for training (false for fallbacks and masked truncations under the run's settings). */
  readonly trainable: boolean;
  /**
   * Why the record does not train, null when it does: `not-trained` (agent has `train: false`), `failed-episode`,
   * `no-coach`, `fallback` (neutral fallback score, `rewards.trainOnFallback` off), `truncated` (cut at the length
   * limit and left out or masked), `no-tokens` (the policy exposed no token ids).
   */
  readonly skip_reason: MappaRlSkipReason | null;
  /** Rendered context text and action text, for readers that need text (conversational converters rebuild from here). */
  readonly context_text: string;
  readonly action_text: string;
  /** Outcome of the episode from the environment's own check (1 = solved). */
  readonly episode_outcome: number | null;
  readonly task_metadata: Readonly<Record<string, unknown>>;
}

export type MappaRlSkipReason = 'not-trained' | 'failed-episode' | 'no-coach' | 'fallback' | 'truncated' | 'no-tokens';

/** Written next to a batch for an external trainer: what it trains, with which settings. */
export interface MappaRlBatchMeta {
  readonly format: 'mappa-rl-batch';
  readonly format_version: 1;
  readonly run: string;
  readonly step: number;
  readonly total_steps: number;
  /** Agents whose records the batch holds (several when agents share a policy). */
  readonly agent_ids: readonly string[];
  readonly policy_id: string;
  /** Version of the weights the trainer starts from; the trainer writes version + 1. */
  readonly policy_version: number;
  /** File names (relative to the meta file) of the records. */
  readonly records: string;
  /** The trainer settings (mappa's trainer config fields, e.g. lr, adamBetas, clipEps, klCoef, klEstimator, maxGradNorm, epochs, microBatchSize, gamma). */
  readonly trainer: { readonly estimator: string } & Readonly<Record<string, unknown>>;
  /** Where the trainer keeps its optimizer state between steps (created by the trainer on first use). */
  readonly state_dir: string;
}
