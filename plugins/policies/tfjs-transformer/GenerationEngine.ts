import type * as TF from '@tensorflow/tfjs-core';
import type { Rng } from '../../../core/util/Rng.js';
import { withRowIndependentMatmul } from '../../tfjs/nativeMatmul.js';
import { NativeDecoder } from './NativeDecoder.js';
import type { TokenSampling } from './sampleToken.js';
import { sampleToken } from './sampleToken.js';
import type { LayerKv, TransformerModel, WeightMap } from './TransformerModel.js';
import { KV_BATCH_AXIS, K_SEQ_AXIS, MASK_VALUE, V_SEQ_AXIS, causalMask } from './TransformerModel.js';

/** Attention-score elements one prefill may allocate per layer (64 Mi floats = 256 MB). */
const PREFILL_SCORE_BUDGET = 1 << 26;

export interface GenerationJob {
  readonly contextIds: readonly number[];
  readonly sampling: TokenSampling;
  readonly maxNewTokens: number;
  readonly stopTokenIds: ReadonlySet<number>;
  readonly stopStrings: readonly string[];
  readonly rng: Rng;
  readonly signal?: AbortSignal | undefined;
  /** Called with each sampled token as soon as it exists (servers stream it). */
  readonly onToken?: ((id: number, logprob: number) => void) | undefined;
}

export interface GenerationOutput {
  readonly tokenIds: number[];
  readonly logprobs: number[];
  readonly finishReason: 'stop' | 'length';
}

/** Weights the engine runs with; `inference()` returns the current set (rebuilt by the policy after updates). */
export interface InferenceWeights {
  readonly weights: WeightMap;
  readonly transposed: WeightMap;
  /** An adapter's inference tensors (`loraInferenceWeights`), when the policy is a LoRA adapter on a frozen base. */
  readonly lora?: WeightMap | undefined;
}

export interface GenerationEngineOptions {
  readonly model: TransformerModel;
  readonly inference: () => InferenceWeights;
  /** Decodes generated ids (for stop strings). */
  readonly decode: (ids: readonly number[]) => string;
  /** Rows decoded together at most. */
  readonly maxBatchSize: number;
  /** Positions the model may use (context + generated). */
  readonly maxPositions: number;
  readonly padTokenId: number;
  /** Full recompute instead of the KV cache (slow; for checking the cache). */
  readonly useCache?: boolean;
}

interface Pending {
  readonly job: GenerationJob;
  readonly resolve: (o: GenerationOutput) => void;
  readonly reject: (e: unknown) => void;
}

interface Row extends Pending {
  readonly tokens: number[];
  readonly logprobs: number[];
  /** Leading padding columns of this row in the shared cache. */
  start: number;
  finish?: 'stop' | 'length';
  /** With the native decoder: this row's own keys/values ([layers, 2, capacity, kvHeads, headDim]). */
  cache?: Float32Array;
  capacity?: number;
}

/**
 * Batches concurrent generation requests into one KV-cache decode loop (continuous batching): requests that arrive
 * while a batch runs are prefilled and joined at the next step, finished rows leave at once. Rows are left-padded in
 * a shared cache and masked, each row has its own positions and its own RNG, so a row's tokens do not depend on which
 * other requests share its batch.
 */
export class GenerationEngine {
  readonly #o: GenerationEngineOptions;
  readonly #queue: Pending[] = [];
  #rows: Row[] = [];
  #kv: LayerKv[] | undefined;
  /** The fused native decoder serving the current rows (chosen when an empty engine admits rows). */
  #native: NativeDecoder | undefined;
  #running = false;
  /** Decode steps run (of them, by the fused native step) and rows decoded, for logs and benchmarks. */
  readonly stats = { steps: 0, nativeSteps: 0, rowSteps: 0, prefills: 0 };

  constructor(o: GenerationEngineOptions) {
    this.#o = o;
  }

  submit(job: GenerationJob): Promise<GenerationOutput> {
    return new Promise((resolve, reject) => {
      if (job.signal?.aborted) return reject(job.signal.reason ?? new Error('aborted'));
      this.#queue.push({ job, resolve, reject });
      if (!this.#running) {
        this.#running = true;
        // Start on the next macrotask so calls made in the same tick share the first batch.
        setImmediate(() => void this.#loop());
      }
    });
  }

  get busy(): boolean {
    return this.#running;
  }

  async #loop(): Promise<void> {
    try {
      while (this.#queue.length > 0 || this.#rows.length > 0) {
        try {
          this.#dropAborted();
          const room = this.#o.maxBatchSize - this.#rows.length;
          if (this.#queue.length > 0 && room > 0) {
            const batch = this.#queue.splice(0, this.#prefillCount(room));
            try {
              this.#admit(batch);
            } catch (err) {
              // New requests that never joined the batch fail here; the batch itself is failed below, since a
              // half-done merge leaves the cache and the rows out of step.
              for (const p of batch) if (!this.#rows.some((r) => r.job === p.job)) p.reject(err);
              throw err;
            }
          } else if (this.#rows.length > 0) this.#decodeStep();
          this.#retire();
        } catch (err) {
          for (const r of this.#rows) r.reject(err);
          this.#rows = [];
          this.#native = undefined;
          this.#disposeKv();
        }
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.#running = false;
    }
  }

  #dropAborted(): void {
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const p = this.#queue[i] as Pending;
      if (p.job.signal?.aborted) {
        this.#queue.splice(i, 1);
        p.reject(p.job.signal.reason ?? new Error('aborted'));
      }
    }
    for (const r of this.#rows) if (r.job.signal?.aborted && !r.finish) r.finish = 'stop';
  }

  /**
   * How many queued requests to prefill together: up to `room`, while the attention scores of the padded prefill
   * (rows × heads × length²) stay under a budget, so a burst of long prompts does not exhaust the wasm heap.
   */
  #prefillCount(room: number): number {
    const heads = this.#o.model.config.numHeads;
    let n = 0;
    let len = 0;
    while (n < room && n < this.#queue.length) {
      const next = Math.max(len, (this.#queue[n] as Pending).job.contextIds.length);
      if (n > 0 && (n + 1) * heads * next * next > PREFILL_SCORE_BUDGET) break;
      len = next;
      n++;
    }
    return n;
  }

  /** Prefills new requests together (left-padded) and joins them to the running batch. */
  #admit(batch: Pending[]): void {
    const tf = this.#o.model.tf;
    const rows: Row[] = batch.map((p) => ({ ...p, tokens: [], logprobs: [], start: 0 }));
    if (this.#o.useCache === false) {
      this.#rows.push(...rows);
      this.#recomputeStep(rows);
      return;
    }
    // Rows of one engine all decode the same way; an adapter (LoRA) policy keeps tfjs's ops (its low-rank terms are
    // not in the fused step).
    const w = this.#o.inference();
    if (this.#rows.length === 0) this.#native = w.lora ? undefined : NativeDecoder.available(this.#o.model);
    if (this.#native) return this.#nativeAdmit(this.#native, w, rows);
    const n = rows.length;
    const len = Math.max(...rows.map((r) => r.job.contextIds.length));
    const ids = new Int32Array(n * len).fill(this.#o.padTokenId);
    const positions = new Int32Array(n * len);
    // Mask layout [query, row, 1, key]: causal, plus each row's left padding.
    const mask = new Float32Array(len * n * len);
    rows.forEach((r, i) => {
      const ctx = r.job.contextIds;
      r.start = len - ctx.length;
      ids.set(ctx, i * len + r.start);
      for (let j = r.start; j < len; j++) positions[i * len + j] = j - r.start;
      for (let q = 0; q < len; q++) {
        const o = (q * n + i) * len;
        for (let k = 0; k < len; k++) if (k < r.start || k > q) mask[o + k] = MASK_VALUE;
      }
    });
    const model = this.#o.model;
    // Which requests share a batch depends on timing: every row must come out the same whatever its neighbours.
    const { logits, kv } = withRowIndependentMatmul(() => tf.tidy(() => {
      const { cos, sin } = model.ropeFor(positions, n, len);
      const out = model.run(w.weights, model.inferenceLinear(w.transposed, w.weights, w.lora), {
        ids: tf.tensor2d(ids, [n, len], 'int32'),
        cos,
        sin,
        mask: tf.tensor4d(mask, [len, n, 1, len]),
        lastOnly: true,
        returnKv: true,
        paddingInvariant: true,
        noGrad: true,
        folded: w.transposed,
      }, (x) => tf.gather(w.weights.get('model.embed_tokens.weight') as TF.Tensor2D, x));
      return { logits: out.logits, kv: out.kv.map((l) => ({ k: tf.keep(l.k), v: tf.keep(l.v) })) };
    }));
    this.stats.prefills++;
    this.#merge(rows, kv);
    this.#sample(rows, logits);
  }

  /** Native prefill: each context on its own into a cache of its own (room for its context and new tokens). */
  #nativeAdmit(native: NativeDecoder, w: InferenceWeights, rows: Row[]): void {
    const capacities = rows.map((r) => Math.min(this.#o.maxPositions, r.job.contextIds.length + r.job.maxNewTokens));
    const { caches, logits } = native.prefill(w, rows.map((r) => r.job.contextIds), capacities);
    rows.forEach((r, i) => {
      r.cache = caches[i] as Float32Array;
      r.capacity = capacities[i] as number;
    });
    this.stats.prefills++;
    this.#rows.push(...rows);
    this.#sampleData(rows, logits, this.#o.model.config.vocabSize);
  }

  /** Joins freshly prefilled rows to the cache, left-padding whichever side is shorter. */
  #merge(rows: Row[], kv: LayerKv[]): void {
    const tf = this.#o.model.tf;
    if (!this.#kv || this.#rows.length === 0) {
      this.#disposeKv();
      this.#kv = kv;
      this.#rows = rows;
      return;
    }
    const sOld = (this.#kv[0] as LayerKv).k.shape[K_SEQ_AXIS];
    const sNew = (kv[0] as LayerKv).k.shape[K_SEQ_AXIS];
    const s = Math.max(sOld, sNew);
    const padTo = (t: TF.Tensor4D, from: number, axis: number) => {
      if (from === s) return t;
      const pads: Array<[number, number]> = [[0, 0], [0, 0], [0, 0], [0, 0]];
      pads[axis] = [s - from, 0];
      return tf.pad(t, pads);
    };
    const merged = this.#kv.map((old, l) => {
      const fresh = kv[l] as LayerKv;
      return tf.tidy(() => ({
        k: tf.keep(tf.concat([padTo(old.k, sOld, K_SEQ_AXIS), padTo(fresh.k, sNew, K_SEQ_AXIS)], KV_BATCH_AXIS)),
        v: tf.keep(tf.concat([padTo(old.v, sOld, V_SEQ_AXIS), padTo(fresh.v, sNew, V_SEQ_AXIS)], KV_BATCH_AXIS)),
      }));
    });
    for (const r of this.#rows) r.start += s - sOld;
    for (const r of rows) r.start += s - sNew;
    this.#disposeKv();
    for (const l of kv) {
      l.k.dispose();
      l.v.dispose();
    }
    this.#kv = merged;
    this.#rows.push(...rows);
  }

  #decodeStep(): void {
    if (this.#o.useCache === false) return this.#recomputeStep(this.#rows);
    if (this.#native) return this.#nativeStep(this.#native);
    const tf = this.#o.model.tf;
    const model = this.#o.model;
    const rows = this.#rows;
    const n = rows.length;
    const kv = this.#kv as LayerKv[];
    const s = (kv[0] as LayerKv).k.shape[K_SEQ_AXIS];
    const ids = new Int32Array(n);
    const positions = new Int32Array(n);
    // Mask layout [key, row, 1, 1]: each row's left padding.
    const mask = new Float32Array((s + 1) * n);
    rows.forEach((r, i) => {
      ids[i] = r.tokens[r.tokens.length - 1] as number;
      positions[i] = s - r.start;
      for (let k = 0; k < r.start; k++) mask[k * n + i] = MASK_VALUE;
    });
    const w = this.#o.inference();
    const { logits, next } = withRowIndependentMatmul(() => tf.tidy(() => {
      const { cos, sin } = model.ropeFor(positions, n, 1);
      const out = model.run(w.weights, model.inferenceLinear(w.transposed, w.weights, w.lora), {
        ids: tf.tensor2d(ids, [n, 1], 'int32'),
        cos,
        sin,
        mask: tf.tensor4d(mask, [s + 1, n, 1, 1]),
        cache: kv,
        noGrad: true,
        folded: w.transposed,
      }, (x) => tf.gather(w.weights.get('model.embed_tokens.weight') as TF.Tensor2D, x));
      return { logits: out.logits, next: out.kv.map((l) => ({ k: tf.keep(l.k), v: tf.keep(l.v) })) };
    }));
    this.#disposeKv();
    this.#kv = next;
    this.stats.steps++;
    this.stats.rowSteps += n;
    this.#sample(rows, logits);
  }

  /** One fused native step over every row (each with its own cache; no padding, no shared tensors). */
  #nativeStep(native: NativeDecoder): void {
    const rows = this.#rows;
    const logits = native.step(this.#o.inference(), rows.map((r) => ({
      token: r.tokens[r.tokens.length - 1] as number,
      position: r.job.contextIds.length + r.tokens.length - 1,
      cache: r.cache as Float32Array,
      capacity: r.capacity as number,
    })));
    this.stats.steps++;
    this.stats.nativeSteps++;
    this.stats.rowSteps += rows.length;
    this.#sampleData(rows, logits, this.#o.model.config.vocabSize);
  }

  /** Without a cache: a full forward pass over each row's context and tokens so far. */
  #recomputeStep(rows: Row[]): void {
    const tf = this.#o.model.tf;
    const model = this.#o.model;
    const w = this.#o.inference();
    for (const r of rows) {
      if (r.finish) continue;
      const seq = [...r.job.contextIds, ...r.tokens];
      const logits = tf.tidy(() => {
        const t = seq.length;
        const { cos, sin } = model.ropeFor(Int32Array.from({ length: t }, (_, i) => i), 1, t);
        return model.run(w.weights, model.inferenceLinear(w.transposed, w.weights, w.lora), {
          ids: tf.tensor2d(Int32Array.from(seq), [1, t], 'int32'),
          cos,
          sin,
          mask: tf.tensor4d(causalMask(t, t, 0), [t, 1, 1, t]),
          lastOnly: true,
          noGrad: true,
        folded: w.transposed,
        }).logits;
      });
      this.#sample([r], logits);
    }
  }

  #sample(rows: Row[], logits: TF.Tensor3D): void {
    const v = logits.shape[2];
    const data = logits.dataSync() as Float32Array;
    logits.dispose();
    this.#sampleData(rows, data, v);
  }

  #sampleData(rows: Row[], data: Float32Array, v: number): void {
    rows.forEach((r, i) => {
      if (r.finish) return;
      const { id, logprob } = sampleToken(data.subarray(i * v, (i + 1) * v), r.job.sampling, r.job.rng);
      r.tokens.push(id);
      r.logprobs.push(logprob);
      const j = r.job;
      j.onToken?.(id, logprob);
      if (j.stopTokenIds.has(id)) r.finish = 'stop';
      else if (j.stopStrings.length > 0 && j.stopStrings.some((s) => this.#o.decode(r.tokens).includes(s))) r.finish = 'stop';
      else if (r.tokens.length >= j.maxNewTokens || j.contextIds.length + r.tokens.length >= this.#o.maxPositions) r.finish = 'length';
    });
  }

  /** Resolves finished rows and drops them (and the padding no remaining row needs) from the cache. */
  #retire(): void {
    if (!this.#rows.some((r) => r.finish)) return;
    const keep: number[] = [];
    this.#rows.forEach((r, i) => {
      if (!r.finish) return keep.push(i);
      if (r.job.signal?.aborted) r.reject(r.job.signal.reason ?? new Error('aborted'));
      else r.resolve({ tokenIds: r.tokens, logprobs: r.logprobs, finishReason: r.finish });
      return undefined;
    });
    const rows = keep.map((i) => this.#rows[i] as Row);
    if (this.#native) {
      this.#rows = rows;
      if (rows.length === 0) this.#native = undefined;
      return;
    }
    if (rows.length === 0 || !this.#kv) {
      this.#rows = rows;
      if (rows.length === 0) this.#disposeKv();
      return;
    }
    const tf = this.#o.model.tf;
    const trim = Math.min(...rows.map((r) => r.start));
    const idx = tf.tensor1d(keep, 'int32');
    const next = this.#kv.map((l) =>
      tf.tidy(() => {
        let k = tf.gather(l.k, idx, KV_BATCH_AXIS) as TF.Tensor4D;
        let v = tf.gather(l.v, idx, KV_BATCH_AXIS) as TF.Tensor4D;
        if (trim > 0) {
          k = tf.slice(k, [trim, 0, 0, 0], [-1, -1, -1, -1]);
          v = tf.slice(v, [0, trim, 0, 0], [-1, -1, -1, -1]);
        }
        return { k: tf.keep(k), v: tf.keep(v) };
      }),
    );
    idx.dispose();
    for (const r of rows) r.start -= trim;
    this.#disposeKv();
    this.#kv = next;
    this.#rows = rows;
  }

  #disposeKv(): void {
    for (const l of this.#kv ?? []) {
      l.k.dispose();
      l.v.dispose();
    }
    this.#kv = undefined;
  }

  dispose(): void {
    for (const p of this.#queue) p.reject(new Error('policy disposed'));
    this.#queue.length = 0;
    for (const r of this.#rows) r.reject(new Error('policy disposed'));
    this.#rows = [];
    this.#native = undefined;
    this.#disposeKv();
  }
}
