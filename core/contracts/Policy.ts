import type { FinishReason } from '../model/Action.js';
import type { Message } from '../model/Message.js';
import type { ToolCallRequest } from '../model/ToolCallRequest.js';
import type { ToolSpec } from '../model/ToolSpec.js';

/** Sampling settings for one generation. Unset fields take the policy's own defaults. */
export interface SamplingParams {
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly topK?: number | undefined;
  readonly maxNewTokens?: number | undefined;
  readonly stopStrings?: readonly string[] | undefined;
  readonly stopTokenIds?: readonly number[] | undefined;
  /** Pick the most likely token at every step (ignores temperature / topP / topK). */
  readonly greedy?: boolean | undefined;
}

export interface GenerateRequest {
  /** The conversation so far; assistant messages may carry exact `tokenIds`. */
  readonly messages: readonly Message[];
  readonly sampling?: SamplingParams;
  /** Seed for this generation; same seed and same context give the same output. */
  readonly seed: number;
  readonly signal?: AbortSignal;
  /** Function tools the agent may call (rendered by the chat template, or sent as OpenAI `tools`). */
  readonly tools?: readonly ToolSpec[];
}

export interface Generation {
  readonly text: string;
  /** Token ids of the rendered context the policy conditioned on (empty when the policy does not expose them). */
  readonly contextIds: readonly number[];
  /** Generated token ids (empty when unavailable). */
  readonly tokenIds: readonly number[];
  /** Per-token log-probs of `tokenIds` (empty when unavailable). */
  readonly logprobs: readonly number[];
  readonly finishReason: Exclude<FinishReason, 'error'>;
  readonly policyVersion: number;
  /** The context exactly as the policy rendered it (chat template applied), when the policy knows it. */
  readonly contextText?: string;
  /**
   * Function tool calls in this generation (from the server's `tool_calls`, or parsed by the policy from its own
   * text). Absent or empty when the generation calls no tool.
   */
  readonly toolCalls?: readonly ToolCallRequest[];
  /** Backend-specific facts (usage, model name, …). */
  readonly info?: Readonly<Record<string, unknown>>;
}

export interface ScoreRequest {
  readonly contextIds: readonly number[];
  readonly continuationIds: readonly number[];
}

/**
 * A policy generates actions for agents. Several agents may share one policy; each agent usually has its own.
 * Implementations must be safe to call concurrently (local policies batch concurrent calls).
 */
export interface Policy {
  readonly id: string;
  /** Whether a local trainer can update this policy's weights in this process. */
  readonly trainable: boolean;
  /** Monotonic version, bumped after every weight update. */
  readonly version: number;
  generate(request: GenerateRequest): Promise<Generation>;
  /** Log-probs of each continuation token given its context, one row per request. */
  score?(requests: readonly ScoreRequest[]): Promise<number[][]>;
  /**
   * Token ids a supervised example trains on: the context exactly as `generate` would render `messages`, and the
   * response followed by the end-of-turn token(s) generation stops at. Trainable policies implement it.
   */
  encodeDemonstration?(messages: readonly Message[], response: string, options?: { readonly tools?: readonly ToolSpec[] }): Promise<{ contextIds: number[]; actionIds: number[] }>;
  /**
   * Writes the weights (and whatever is needed to rebuild the policy) to a directory. `exact: true` asks for a
   * lossless copy (checkpoints and warm-start caches, so a resume continues bit for bit), whatever export dtype the
   * policy is configured with.
   */
  save?(dir: string, options?: { readonly exact?: boolean }): Promise<void>;
  /** Replaces the weights with those saved in a directory by `save`. */
  load?(dir: string): Promise<void>;
  /** For an adapter policy (LoRA): the frozen base it shares with other adapters; undefined for a full model. */
  sharedBase?(): SharedBase | undefined;
  /** Releases resources (tensors, sockets). */
  dispose?(): Promise<void> | void;
}

/**
 * The frozen base under an adapter policy (LoRA), shared by every adapter that names it. A pipeline with
 * `warmStart.base: shared` trains a full copy of it on all its agents' demonstrations, then puts the result under
 * every adapter on it (`replace`), so the adapters start from a base that already knows the task.
 */
export interface SharedBase {
  /** Adapters with the same key run on the same base object (one copy of its weights in memory). */
  readonly key: string;
  /** Where the base weights come from now: a checkpoint directory, or a label such as `preset:tiny/char/seed=…`. */
  readonly source: string;
  /** A new full-model policy holding a copy of the base weights, to train; the caller disposes it. */
  trainableCopy(id: string): Promise<Policy>;
  /**
   * Replaces the base weights with those of a checkpoint directory `trainableCopy(…).save()` wrote (same
   * architecture), for every adapter on this base; the directory becomes the base's `source`. Adapters stay as they
   * are (a new adapter's B = 0, so it starts as the new base exactly).
   */
  replace(dir: string): Promise<void>;
}
