import type { Policy } from './Policy.js';

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
