import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import type { FrozenModel, TrainablePolicy } from '../../../core/contracts/TrainablePolicy.js';
import type { Tf } from '../../tfjs/loadTf.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { Adam, type AdamOptions } from './Adam.js';
import { readNamedTensors, writeNamedTensors } from './namedTensorsIo.js';

/** What a slot saves: optimizer moments and step, and the reference weights. */
export interface SavedSlot {
  readonly optimizerStep: number;
  readonly moments: Map<string, TF.Tensor>;
  readonly reference?: Map<string, TF.Tensor>;
}

/**
 * Per-policy training state: its Adam optimizer and its frozen reference model (the weights when training started).
 */
export class PolicySlot {
  readonly optimizer: Adam;
  #reference: FrozenModel | undefined;
  /** Our own copy of the reference weights, kept only when the frozen model cannot hand its weights back. */
  #referenceCopy: Map<string, TF.Tensor> | undefined;

  constructor(
    private readonly tf: Tf,
    readonly policy: TrainablePolicy,
    adam: AdamOptions,
  ) {
    this.optimizer = new Adam(tf, adam);
  }

  get reference(): FrozenModel | undefined {
    return this.#reference;
  }

  /** Snapshots the policy's current weights as the reference (once). */
  ensureReference(): FrozenModel {
    if (!this.#reference) {
      this.#reference = this.policy.snapshot();
      if (!this.#reference.weights) this.#referenceCopy = this.#cloneWeights();
    }
    return this.#reference;
  }

  #cloneWeights(): Map<string, TF.Tensor> {
    return new Map([...this.policy.variables()].map(([k, v]) => [k, this.tf.clone(v)]));
  }

  async save(dir: string): Promise<void> {
    await PolicySlot.write(this.tf, dir, this.optimizer.state(), this.#reference?.weights?.() ?? this.#referenceCopy);
  }

  /** Writes a slot's state: what `save` writes, also for loaded state that no step has claimed yet. */
  static async write(tf: Tf, dir: string, moments: ReadonlyMap<string, TF.Tensor>, reference: ReadonlyMap<string, TF.Tensor> | undefined): Promise<void> {
    await writeNamedTensors(tf, dir, 'optimizer', moments);
    if (reference) await writeNamedTensors(tf, dir, 'reference', reference);
  }

  static async read(tf: Tf, dir: string, optimizerStep: number): Promise<SavedSlot> {
    const moments = await readNamedTensors(tf, dir, 'optimizer');
    const reference = existsSync(join(dir, 'reference.json')) ? await readNamedTensors(tf, dir, 'reference') : undefined;
    return { optimizerStep, moments, ...(reference ? { reference } : {}) };
  }

  /**
   * Restores saved state (taking ownership of its tensors). The reference model is rebuilt through the policy's own
   * `snapshot()`: the saved reference weights are put into the policy for the snapshot, then its weights are restored.
   */
  restore(saved: SavedSlot): void {
    const vars = this.policy.variables();
    const mismatch = (what: string, name: string, shape: readonly number[]) => {
      const v = vars.get(name);
      if (!v) return `${what} has ${name}, which the policy does not`;
      return v.shape.join('x') === shape.join('x') ? undefined : `${what} ${name} is ${shape.join('x')}, the policy's is ${v.shape.join('x')}`;
    };
    const problems = [
      ...[...saved.moments].map(([key, t]) => mismatch('optimizer state', key.slice(key.indexOf('/') + 1), t.shape)),
      ...[...(saved.reference ?? [])].map(([name, t]) => mismatch('reference', name, t.shape)),
      ...(saved.reference ? [...vars.keys()].filter((n) => !saved.reference!.has(n)).map((n) => `reference lacks ${n}`) : []),
    ].filter((p): p is string => p !== undefined);
    if (problems.length > 0) {
      throw new MappaError(`trainer state does not match policy "${this.policy.id}": ${problems.slice(0, 3).join('; ')}`, {
        hint: 'resume with the same model configuration the checkpoint was written with',
      });
    }
    this.optimizer.load(saved.moments, saved.optimizerStep);
    this.#disposeReference();
    if (!saved.reference) return;
    const current = this.#cloneWeights();
    try {
      for (const [name, v] of vars) v.assign(saved.reference.get(name)!);
      this.#reference = this.policy.snapshot();
    } finally {
      for (const [name, v] of vars) v.assign(current.get(name)!);
      for (const t of current.values()) t.dispose();
    }
    if (this.#reference.weights) for (const t of saved.reference.values()) t.dispose();
    else this.#referenceCopy = saved.reference;
  }

  #disposeReference(): void {
    this.#reference?.dispose();
    this.#reference = undefined;
    for (const t of this.#referenceCopy?.values() ?? []) t.dispose();
    this.#referenceCopy = undefined;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.#disposeReference();
  }
}
