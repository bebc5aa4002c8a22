import type { Policy } from '../../core/contracts/Policy.js';
import type { AgentBatch } from '../../core/contracts/Trainer.js';
import type { Experience } from '../../core/model/Experience.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { TfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';
import type { FrozenModel, TrainablePolicy } from '../../plugins/policies/tfjs-transformer/TrainablePolicy.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { TinyLmPolicy, type TinyLmOptions } from '../fakes/TinyLmPolicy.js';

export async function tinyLm(options: Partial<TinyLmOptions> & { id?: string } = {}): Promise<TinyLmPolicy> {
  const { tf } = await loadTf();
  return new TinyLmPolicy(tf, { id: 'p', vocabSize: 32, dim: 16, seed: 3, ...options });
}

/** The real policy: a tfjs-transformer tiny preset (byte tokenizer, 262 tokens) with a short context limit. */
export async function tfjsTiny(options: { id?: string; seed?: number } = {}): Promise<TfjsTransformerPolicy> {
  return createTfjsTransformerPolicy({ preset: 'tiny', id: options.id ?? 'p', seed: options.seed ?? 3, maxContextLength: 64 });
}

/** A trainable policy that can also score continuations (both the test model and the real one). */
export type ScoringPolicy = TrainablePolicy & Required<Pick<Policy, 'score'>>;

let n = 0;
export function experience(contextIds: number[], actionIds: number[], reward: number, more: Partial<Experience> = {}): Experience {
  n++;
  return {
    agentId: 'agent',
    policyId: 'p',
    episodeId: `e${n}`,
    taskId: 't',
    groupId: 'g',
    turnIndex: 0,
    contextIds,
    actionIds,
    rolloutLogprobs: [],
    reward,
    score: reward * 10,
    truncated: false,
    policyVersion: 0,
    taskMetadata: {},
    ...more,
  };
}

/** Mean log-prob per action token under the policy. */
export async function meanLogp(policy: ScoringPolicy, e: Pick<Experience, 'contextIds' | 'actionIds'>): Promise<number> {
  const [row] = await policy.score([{ contextIds: e.contextIds, continuationIds: e.actionIds }]);
  return row!.reduce((a, b) => a + b, 0) / row!.length;
}

/** Two well-separated actions per group: the first rewarded, the second not (contexts and tokens disjoint). */
export function contrastBatch(agentId: string, policy: Policy, groupPrefix = 'g'): AgentBatch & { good: Experience[]; bad: Experience[] } {
  const good = [
    experience([2, 3], [10, 11, 12], 1, { agentId, groupId: `${groupPrefix}0` }),
    experience([4, 5], [13, 14], 1, { agentId, groupId: `${groupPrefix}1` }),
  ];
  const bad = [
    experience([2, 3], [20, 21, 22], 0, { agentId, groupId: `${groupPrefix}0` }),
    experience([4, 5], [23, 24], 0, { agentId, groupId: `${groupPrefix}1` }),
  ];
  return { agentId, policy, experiences: [good[0]!, bad[0]!, good[1]!, bad[1]!], good, bad };
}

/** Flat copy of every weight, for equality checks. */
export function weightsOf(policy: TrainablePolicy): Map<string, Float32Array> {
  return new Map([...policy.variables()].map(([k, v]) => [k, v.dataSync() as Float32Array]));
}

export function maxWeightDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let d = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  }
  return d;
}

/** Exact mean KL(π‖π_ref) of the next-token distributions at every position of the given equal-length sequences. */
export async function exactKl(policy: TrainablePolicy, ref: FrozenModel, seqs: number[][]): Promise<number> {
  const { tf } = await loadTf();
  return tf.tidy(() => {
    const ids = tf.tensor2d(seqs, [seqs.length, seqs[0]!.length], 'int32');
    const mask = tf.onesLike(ids);
    const p = tf.logSoftmax(policy.forward(ids, mask));
    const q = tf.logSoftmax(ref.forward(ids, mask));
    return tf.mean(tf.sum(tf.mul(tf.exp(p), tf.sub(p, q)), -1)).dataSync()[0]!;
  });
}
