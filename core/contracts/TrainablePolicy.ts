import type * as TF from '@tensorflow/tfjs-core';
import type { Policy } from './Policy.js';

/** A frozen copy of a model's weights (e.g. the reference model for KL). */
export interface FrozenModel {
  /** Logits [B, T, V] for `inputIds` [B, T] (int32) with `attentionMask` [B, T] (1 = token, 0 = right padding). */
  forward(inputIds: TF.Tensor2D, attentionMask: TF.Tensor2D): TF.Tensor3D;
  /**
   * The frozen weights by the same names as `TrainablePolicy.variables()` (owned by the model: do not dispose).
   * Optional: trainers save them in checkpoints; without it a trainer keeps its own copy of the reference weights.
   */
  weights?(): ReadonlyMap<string, TF.Tensor>;
  dispose(): void;
}

/**
 * What the in-process trainers need from a local policy: the contract between trainers and policies (the
 * `tfjs-transformer` policy implements it; trainers import this file, never a policy folder).
 * All tensor methods must be called inside `tf.tidy` / `tf.variableGrads` by the caller.
 */
export interface TrainablePolicy extends Policy {
  readonly trainable: true;
  readonly vocabSize: number;
  /** Token id used for right padding in batches (its positions are always masked out). */
  readonly padTokenId: number;
  /** Trainable weights by Hugging Face parameter name (e.g. `model.layers.0.self_attn.q_proj.weight`). */
  variables(): ReadonlyMap<string, TF.Variable>;
  /** Logits [B, T, V]; differentiable with respect to `variables()`. */
  forward(inputIds: TF.Tensor2D, attentionMask: TF.Tensor2D): TF.Tensor3D;
  /** Copies the current weights into a frozen model. */
  snapshot(): FrozenModel;
  /** Trainers call this after changing the weights: bumps `version` and drops generation caches. */
  markUpdated(): void;
}

export function isTrainablePolicy(p: Policy): p is TrainablePolicy {
  const t = p as Partial<TrainablePolicy>;
  return p.trainable === true && typeof t.forward === 'function' && typeof t.variables === 'function' && typeof t.snapshot === 'function';
}
