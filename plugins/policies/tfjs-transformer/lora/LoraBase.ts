import type * as TF from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { MappaError } from '../../../../core/util/MappaError.js';
import { readCheckpointInfo, streamWeights } from '../hfCheckpoint.js';
import type { TransformerModel, WeightMap } from '../TransformerModel.js';

/**
 * Frozen base weights that LoRA policies share, with the derived tensors every adapter on it reads: Wᵀ of the linear
 * layers (training forward) and the fused inference weights. Each is built once, on first use, for all adapters.
 * Reference counted: the last `release()` disposes what the base owns.
 */
export class LoraBase {
  #trainT: Map<string, TF.Tensor> | undefined;
  #inference: Map<string, TF.Tensor> | undefined;
  #refs = 0;
  #version: number;
  #source: string;
  #generation = 0;
  /** The registry key when the base was loaded through `acquireSharedBase` (adapters naming it share it). */
  key: string | undefined;

  constructor(
    /** A model of the base's config (used for its weight transforms only). */
    readonly model: TransformerModel,
    readonly weights: WeightMap,
    /** Where the base came from: a checkpoint directory (written as `base_model_name_or_path`) or a preset label. */
    source: string,
    /** Disposes the weights when the last user releases the base; false for a view on another policy's weights. */
    private readonly owned: boolean,
    /** For a view on a trainable policy: its current version (derived tensors are rebuilt when it changes). */
    private readonly versionOf: () => number = () => 0,
  ) {
    this.#version = versionOf();
    this.#source = source;
  }

  /** A checkpoint directory (an adapter's `base_model_name_or_path`) or a preset label. */
  get source(): string {
    return this.#source;
  }

  /** Bumped by every `replace`: adapters rebuild the inference tensors they derive from the base's weights. */
  get generation(): number {
    return this.#generation;
  }

  /** Whether `replace` may change the weights (false for a view on another policy's weights). */
  get replaceable(): boolean {
    return this.owned;
  }

  /**
   * Overwrites the base weights in place with a Hugging Face checkpoint of the same architecture (a warm-started
   * base), for every adapter on it; `dir` becomes the source saved adapters point at.
   */
  async replace(dir: string): Promise<void> {
    if (!this.owned) throw new MappaError(`LoRA base ${this.#source} is another policy's weights; it cannot be replaced`);
    const info = await readCheckpointInfo(dir);
    const mine = this.config;
    for (const k of ['modelType', 'vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'intermediateSize', 'tieWordEmbeddings'] as const) {
      if (mine[k] !== info.config[k]) {
        throw new MappaError(`${join(dir, 'config.json')}: ${k} is ${String(info.config[k])} but the LoRA base ${this.#source} has ${String(mine[k])}`, {
          hint: 'a base is replaced by a checkpoint of the same architecture (a warm start of this base)',
        });
      }
    }
    const tf = this.model.tf;
    await streamWeights(dir, info.config, (t) => {
      const v = this.weights.get(t.name) as TF.Variable | undefined;
      if (!v || typeof (v as Partial<TF.Variable>).assign !== 'function') throw new MappaError(`${dir}: LoRA base ${this.#source} has no variable '${t.name}'`);
      tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, [...t.shape], 'float32')));
    });
    this.#source = dir;
    this.#generation++;
    this.#dropDerived();
  }

  get config() {
    return this.model.config;
  }

  /** Total bytes of the base weights (float32). */
  get bytes(): number {
    let n = 0;
    for (const t of this.weights.values()) n += t.size * 4;
    return n;
  }

  acquire(): this {
    this.#refs++;
    return this;
  }

  trainTransposed(): WeightMap {
    this.#checkVersion();
    this.#trainT ??= this.model.linearTransposes(this.weights);
    return this.#trainT;
  }

  inference(): WeightMap {
    this.#checkVersion();
    this.#inference ??= this.model.transposeWeights(this.weights);
    return this.#inference;
  }

  release(): void {
    if (this.#refs <= 0) throw new MappaError(`LoRA base ${this.source} released more often than acquired`);
    if (--this.#refs > 0) return;
    this.#dropDerived();
    if (this.owned) for (const t of this.weights.values()) t.dispose();
    this.model.dispose();
    this.onDisposed?.();
  }

  /** Called once the last user released the base (the registry forgets it). */
  onDisposed: (() => void) | undefined;

  #checkVersion(): void {
    const v = this.versionOf();
    if (v === this.#version) return;
    this.#version = v;
    this.#dropDerived();
  }

  #dropDerived(): void {
    for (const t of [...(this.#trainT?.values() ?? []), ...(this.#inference?.values() ?? [])]) t.dispose();
    this.#trainT = undefined;
    this.#inference = undefined;
  }
}

const shared = new Map<string, { readonly signature: string; readonly base: Promise<LoraBase> }>();

/**
 * One LoraBase per `key` in this process: the first caller loads it, later callers with the same key get the same
 * weights (one copy in memory). The same key with a different `signature` (another model source) is a MappaError.
 */
export async function acquireSharedBase(key: string, signature: string, load: () => Promise<LoraBase>): Promise<LoraBase> {
  const have = shared.get(key);
  if (have) {
    if (have.signature !== signature) {
      throw new MappaError(`LoRA base "${key}" is already loaded from ${have.signature}, not ${signature}`, {
        hint: 'policies that name the same `base` must load it from the same preset/seed or checkpoint path; give different bases different names',
      });
    }
    return (await have.base).acquire();
  }
  const base = load().then((b) => {
    b.key = key;
    b.onDisposed = () => {
      if (shared.get(key)?.base === base) shared.delete(key);
    };
    return b;
  });
  shared.set(key, { signature, base });
  try {
    return (await base).acquire();
  } catch (err) {
    shared.delete(key);
    throw err;
  }
}

/** Keys of the bases currently loaded (tests and diagnostics). */
export function sharedBaseKeys(): string[] {
  return [...shared.keys()];
}
