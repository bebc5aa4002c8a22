import type * as TF from '@tensorflow/tfjs-core';
import type { Tf } from '../../tfjs/loadTf.js';
import { RopeTables, ropeInvFreq } from './rope.js';
import { nativeMatmulActive } from '../../tfjs/nativeMatmul.js';
import { createTfOps, rotateHalfMatrix } from './tfOps.js';
import type { TfOps } from './tfOps.js';
import type { TransformerConfig } from './TransformerConfig.js';
import { expectedParameters } from './TransformerConfig.js';
import type { LoraRun } from './lora/LoraAdapter.js';

/**
 * Cached keys and values of one layer for the rows of a batch, in the layouts the decode step's grouped matmuls read:
 * keys [S, headDim, B, kvHeads], values [headDim, S, B, kvHeads]. Positions sit on an outer axis because appending
 * along an inner axis makes wasm's (JavaScript) Concat copy thousands of small pieces per step.
 */
export interface LayerKv {
  readonly k: TF.Tensor4D;
  readonly v: TF.Tensor4D;
}
export const KV_BATCH_AXIS = 2;
export const K_SEQ_AXIS = 0;
export const V_SEQ_AXIS = 1;

/** Weights by Hugging Face name (variables for training, plain tensors for a frozen copy). */
export type WeightMap = ReadonlyMap<string, TF.Tensor>;

/** Additive attention-mask value; finite so fully masked (padding) rows stay finite instead of NaN. */
export const MASK_VALUE = -1e9;

interface StepInputs {
  readonly ids: TF.Tensor2D;
  /** cos/sin broadcastable to [B, T, 1, headDim]. */
  readonly cos: TF.Tensor4D;
  readonly sin: TF.Tensor4D;
  /**
   * Additive mask: [T, B|1, 1, S] for full passes (scores [T, B, heads, S]); [S, B, 1, 1] when decoding one position
   * with a cache (scoresᵀ [S, B, kvHeads, rep]).
   */
  readonly mask: TF.Tensor4D;
  readonly cache?: readonly LayerKv[] | undefined;
  /** Only compute logits for the last position (prefill). */
  readonly lastOnly?: boolean;
  /** Return each layer's keys/values in the cache layout (prefill). */
  readonly returnKv?: boolean;
  /**
   * Attention softmax as max/exp/sum/div instead of the Softmax kernel: wasm's kernel (XNNPACK) sums in SIMD lanes,
   * so a row's probabilities change in the last bits with the number of masked (left-padding) positions in front of
   * it; the sequential Sum kernel adds those exact zeros without changing anything. Generation sets it, because which
   * requests share a prefill batch (and so the padding) depends on timing; scoring and training keep the kernel (their
   * batches are fixed by their inputs), so their numbers do not move.
   */
  readonly paddingInvariant?: boolean;
  /**
   * Inference: plain kernels instead of custom-gradient wrappers, and the weights of `transposeWeights` (fused
   * projections with the RMSNorm gains and the attention scale folded in): fewer ops per decode step.
   */
  readonly noGrad?: boolean;
  /** With `noGrad`: the map from `transposeWeights` (folded q_norm gains). */
  readonly folded?: WeightMap;
}

/**
 * A Llama / Qwen2 / Qwen3 decoder in raw TensorFlow.js ops. The same code runs three ways: training (weights are
 * variables, gradients through custom-gradient matMuls), frozen reference (plain tensors), and inference with
 * pre-transposed weights and a KV cache. All tensor methods must run inside the caller's `tf.tidy`.
 */
export class TransformerModel {
  readonly ops: TfOps;
  readonly rope: RopeTables;
  readonly #rot: { r: TF.Tensor2D; rT: TF.Tensor2D };
  #ropeTensors: { cos: TF.Tensor4D; sin: TF.Tensor4D; length: number } | undefined;

  constructor(
    readonly tf: Tf,
    readonly config: TransformerConfig,
    /** Maximum positions the rotary table covers (the policy's context limit). */
    maxPositions: number,
  ) {
    this.ops = createTfOps(tf);
    this.rope = new RopeTables(config.headDim, maxPositions, ropeInvFreq(config));
    const { r, rT } = rotateHalfMatrix(config.headDim);
    this.#rot = { r: tf.keep(tf.tensor2d(r, [config.headDim, config.headDim])), rT: tf.keep(tf.tensor2d(rT, [config.headDim, config.headDim])) };
  }

  /** Random initial weights (normal std 0.02 for matrices, ones for norms, zeros for biases), seeded. */
  initWeights(seed: number): Map<string, TF.Variable> {
    const tf = this.tf;
    const out = new Map<string, TF.Variable>();
    let i = 0;
    for (const [name, shape] of expectedParameters(this.config)) {
      const init = tf.tidy(() => {
        if (name.endsWith('norm.weight')) return tf.ones(shape);
        if (name.endsWith('.bias')) return tf.zeros(shape);
        return tf.randomNormal(shape, 0, 0.02, 'float32', seed + 7919 * i++);
      });
      out.set(name, tf.variable(init, true));
      init.dispose();
    }
    return out;
  }

  /**
   * Training / reference forward: logits [B, T, V] for right-padded `inputIds` with `attentionMask` (1 = token).
   * With `transposed` (from `transposeWeights`) it runs the faster inference path, without gradients.
   */
  forward(weights: WeightMap, inputIds: TF.Tensor2D, attentionMask: TF.Tensor2D, transposed?: WeightMap, lora?: LoraRun): TF.Tensor3D {
    const tf = this.tf;
    const [b, t] = inputIds.shape;
    const { cos, sin } = this.#ropeRange(t);
    const causal = tf.tensor4d(causalMask(t, t, 0), [t, 1, 1, t]);
    const keyMask = tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), MASK_VALUE), [1, b, 1, t]);
    const mask = tf.add(causal, keyMask) as TF.Tensor4D;
    const ids = tf.cast(inputIds, 'int32') as TF.Tensor2D;
    if (transposed) {
      const table = weights.get('model.embed_tokens.weight') as TF.Tensor2D;
      return this.run(weights, this.inferenceLinear(transposed, weights, lora?.inference), { ids, cos, sin, mask, noGrad: true, folded: transposed }, (x) => tf.gather(table, x)).logits;
    }
    if (lora) {
      // The base is frozen: a plain gather for the embedding (its gradient would be discarded).
      const table = weights.get('model.embed_tokens.weight') as TF.Tensor2D;
      return this.run(weights, this.#loraTrainLinear(weights, lora), { ids, cos, sin, mask }, (x) => tf.gather(table, x)).logits;
    }
    return this.run(weights, this.#trainLinear(weights), { ids, cos, sin, mask }).logits;
  }

  /**
   * One step of the decoder: returns logits ([B, T, V], or [B, 1, V] with `lastOnly`) and, when a cache is given or
   * `returnKv` is set, each layer's keys/values including the new positions.
   */
  run(
    weights: WeightMap,
    linear: (x: TF.Tensor2D, prefix: string) => TF.Tensor2D,
    s: StepInputs,
    embed: (ids: TF.Tensor1D) => TF.Tensor2D = (ids) => this.ops.embed(weights.get('model.embed_tokens.weight') as TF.Tensor2D, ids),
  ): { logits: TF.Tensor3D; kv: LayerKv[] } {
    const tf = this.tf;
    const c = this.config;
    const [B, T] = s.ids.shape;
    const H = c.numHeads;
    const KV = c.numKvHeads;
    const hd = c.headDim;
    const rep = H / KV;
    const W = (name: string) => {
      const w = weights.get(name);
      if (!w) throw new Error(`missing weight ${name}`);
      return w;
    };
    const normalize = (x: TF.Tensor) => tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), c.rmsNormEps)));
    const rms = (x: TF.Tensor, w: TF.Tensor) => tf.mul(normalize(x), w);
    // Gains of the norms in front of a projection are folded into the projection's inference weights.
    const rmsBeforeLinear = (x: TF.Tensor, name: string) => (s.noGrad ? normalize(x) : rms(x, W(name)));
    const folded = s.folded;
    /** max/exp/sum/div softmax: the sequential Sum kernel adds masked positions' exact zeros without moving a bit. */
    const sequentialSoftmax = (x: TF.Tensor, axis: number) => {
      const e = tf.exp(tf.sub(x, tf.max(x, axis, true)));
      return tf.div(e, tf.sum(e, axis, true));
    };
    /** Softmax over the last axis (see `paddingInvariant`). */
    const softmax = (x: TF.Tensor) => (s.paddingInvariant ? sequentialSoftmax(x, -1) : tf.softmax(x));
    const gmm = s.noGrad ? (a: TF.Tensor4D, f: TF.Tensor4D) => tf.depthwiseConv2d(a, f, 1, 'valid') : this.ops.groupMatMul;
    const rope = (x: TF.Tensor4D) => {
      const flat = tf.reshape(x, [-1, hd]) as TF.Tensor2D;
      const rotated = tf.reshape((s.noGrad ? tf.matMul(flat, this.#rot.r) : this.ops.rotate(flat, this.#rot.r, this.#rot.rT)), x.shape);
      return tf.add(tf.mul(x, s.cos), tf.mul(rotated, s.sin)) as TF.Tensor4D;
    };
    // With folded weights the queries already carry the 1/√hd scale.
    const scaleScores = (x: TF.Tensor) => (s.noGrad ? x : tf.mul(x, 1 / Math.sqrt(hd)));
    let h: TF.Tensor2D = embed(tf.reshape(s.ids, [-1]) as TF.Tensor1D);
    const kvOut: LayerKv[] = [];
    // Full passes with the OpenBLAS kernel attend by batched matMul; tfjs's own kernel keeps the grouped convolutions
    // (its batched matMul is a scalar loop).
    const native = nativeMatmulActive(tf);
    /** The mask in the batched-matMul layout [B|1, 1, T, S]. */
    let maskBH: TF.Tensor | undefined;
    for (let l = 0; l < c.numLayers; l++) {
      const pre = `model.layers.${l}.`;
      const x = rmsBeforeLinear(h, `${pre}input_layernorm.weight`) as TF.Tensor2D;
      let q: TF.Tensor4D;
      let k: TF.Tensor4D;
      let v: TF.Tensor4D;
      const qkNorm = (qq: TF.Tensor4D, kk: TF.Tensor4D) =>
        c.qkNorm
          ? [rms(qq, folded?.get(`${pre}self_attn.q_norm.weight`) ?? W(`${pre}self_attn.q_norm.weight`)) as TF.Tensor4D, rms(kk, W(`${pre}self_attn.k_norm.weight`)) as TF.Tensor4D]
          : [qq, kk];
      if (s.noGrad) {
        // Inference: one fused q|k|v projection, and one rotary pass over queries and keys together (fewer ops per
        // decode step, where per-op overhead dominates).
        const [qk, vv] = tf.split(linear(x, `${pre}self_attn.qkv_proj`), [(H + KV) * hd, KV * hd], 1);
        v = tf.reshape((vv as TF.Tensor), [B, T, KV, hd]) as TF.Tensor4D;
        if (c.qkNorm) {
          const [qq, kk] = tf.split(qk as TF.Tensor, [H * hd, KV * hd], 1);
          [q, k] = qkNorm(tf.reshape((qq as TF.Tensor), [B, T, H, hd]), tf.reshape((kk as TF.Tensor), [B, T, KV, hd])) as [TF.Tensor4D, TF.Tensor4D];
          q = rope(q);
          k = rope(k);
        } else {
          [q, k] = tf.split(rope(tf.reshape((qk as TF.Tensor), [B, T, H + KV, hd]) as TF.Tensor4D), [H, KV], 2) as [TF.Tensor4D, TF.Tensor4D];
        }
      } else {
        [q, k] = qkNorm(
          tf.reshape(linear(x, `${pre}self_attn.q_proj`), [B, T, H, hd]) as TF.Tensor4D,
          tf.reshape(linear(x, `${pre}self_attn.k_proj`), [B, T, KV, hd]) as TF.Tensor4D,
        ) as [TF.Tensor4D, TF.Tensor4D];
        v = tf.reshape(linear(x, `${pre}self_attn.v_proj`), [B, T, KV, hd]) as TF.Tensor4D;
        q = rope(q);
        k = rope(k);
      }
      let att: TF.Tensor2D;
      const prev = s.cache?.[l];
      if (T === 1 && prev) {
        // Decoding with the cache (layouts in LayerKv: positions on an outer axis, so appending a step copies whole
        // blocks). Transposed attention: scoresᵀ [S, B, KV, rep] = K · q, outᵀ [hd, B, KV, rep] = V · Pᵀ; the rep query
        // heads of a KV group are the columns of one group, so the cache is never repeated.
        const kc = tf.concat([prev.k, tf.transpose(k, [1, 3, 0, 2])], 0) as TF.Tensor4D;
        const vc = tf.concat([prev.v, tf.transpose(v, [3, 1, 0, 2])], 1) as TF.Tensor4D;
        kvOut.push({ k: kc, v: vc });
        const S = kc.shape[0];
        const qf = tf.reshape(tf.transpose(tf.reshape(q, [B, KV, rep, hd]), [3, 0, 1, 2]), [1, hd, B * KV, rep]) as TF.Tensor4D;
        const scores = tf.add(scaleScores(tf.reshape(gmm(tf.reshape(kc, [1, S, hd, B * KV]), qf), [S, B, KV, rep])), s.mask);
        // Softmax over positions (axis 0).
        const probs = tf.reshape(sequentialSoftmax(scores, 0), [1, S, B * KV, rep]) as TF.Tensor4D;
        const o = tf.reshape(gmm(tf.reshape(vc, [1, hd, S, B * KV]), probs), [hd, B, KV, rep]);
        att = tf.reshape(tf.transpose(o, [1, 2, 3, 0]), [B, H * hd]) as TF.Tensor2D;
      } else if (native && !s.paddingInvariant) {
        // (Not for generation's prefill: OpenBLAS sums probs · V over positions in SIMD lanes, so left padding would
        // move the last bits; the grouped convolutions below add the padding's exact zeros in order.)
        if (prev) throw new Error('a KV cache can only be extended one position at a time');
        if (s.returnKv) kvOut.push({ k: tf.transpose(k, [1, 3, 0, 2]) as TF.Tensor4D, v: tf.transpose(v, [3, 1, 0, 2]) as TF.Tensor4D });
        // With the OpenBLAS kernel: batched matMul in [B, heads, T, hd], transposes as sgemm flags. Grouped-query
        // attention without repeating keys/values: the rep query heads of a KV group are stacked as rows of one
        // matrix ([B, KV, rep·T, hd]) against that group's keys. tfjs's BatchMatMul gradient (flags only) suffices.
        // The training scale goes on the queries (T·hd elements) rather than the scores (T·T).
        const qs = s.noGrad ? q : tf.mul(q, 1 / Math.sqrt(hd));
        const qg = tf.reshape(tf.transpose(qs, [0, 2, 1, 3]), [B, KV, rep * T, hd]);
        const kh = tf.transpose(k, [0, 2, 1, 3]);
        const vh = tf.transpose(v, [0, 2, 1, 3]);
        maskBH ??= tf.transpose(s.mask, [1, 2, 0, 3]);
        const scores = tf.add(tf.reshape(tf.matMul(qg, kh, false, true), [B, H, T, T]), maskBH);
        const probs = tf.reshape(softmax(scores), [B, KV, rep * T, T]);
        const o = tf.reshape(tf.matMul(probs, vh), [B, H, T, hd]);
        att = tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [B * T, H * hd]) as TF.Tensor2D;
      } else {
        if (prev) throw new Error('a KV cache can only be extended one position at a time');
        if (s.returnKv) kvOut.push({ k: tf.transpose(k, [1, 3, 0, 2]) as TF.Tensor4D, v: tf.transpose(v, [3, 1, 0, 2]) as TF.Tensor4D });
        // Attention as two grouped matmuls over channels (batch, head) with keys [hd, B, KV, T] and values [T, B, KV, hd].
        // Grouped-query attention: query head h reads KV head floor(h / rep), so each KV head is repeated rep times
        // (by concat: wasm's Tile is a slow scalar loop).
        const kc = tf.transpose(k, [3, 0, 2, 1]) as TF.Tensor4D;
        const vc = tf.transpose(v, [1, 0, 2, 3]) as TF.Tensor4D;
        const repeat = (x: TF.Tensor4D) => (rep > 1 ? tf.concat(new Array<TF.Tensor4D>(rep).fill(x), 2) : x);
        const kf = tf.reshape(repeat(tf.reshape(kc, [hd * B, KV, 1, T])), [1, hd, B * H, T]) as TF.Tensor4D;
        const vf = tf.reshape(repeat(tf.reshape(vc, [T * B, KV, 1, hd])), [1, T, B * H, hd]) as TF.Tensor4D;
        const qa = tf.reshape(tf.transpose(q, [1, 3, 0, 2]), [1, T, hd, B * H]) as TF.Tensor4D;
        const scores = tf.reshape(gmm(qa, kf), [T, B, H, T]);
        const probs = softmax(tf.add(scaleScores(scores), s.mask));
        const pa = tf.reshape(tf.transpose(probs, [0, 3, 1, 2]), [1, T, T, B * H]) as TF.Tensor4D;
        const o = tf.reshape(gmm(pa, vf), [T, B, H, hd]);
        att = tf.reshape(tf.transpose(o, [1, 0, 2, 3]), [B * T, H * hd]) as TF.Tensor2D;
      }
      h = tf.add(h, linear(att, `${pre}self_attn.o_proj`));
      const x2 = rmsBeforeLinear(h, `${pre}post_attention_layernorm.weight`) as TF.Tensor2D;
      const [gate, up] = s.noGrad
        ? (tf.split(linear(x2, `${pre}mlp.gate_up_proj`), 2, 1) as [TF.Tensor2D, TF.Tensor2D])
        : [linear(x2, `${pre}mlp.gate_proj`), linear(x2, `${pre}mlp.up_proj`)];
      h = tf.add(h, linear(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as TF.Tensor2D, `${pre}mlp.down_proj`));
    }
    let last = h;
    let rows = T;
    if (s.lastOnly && T > 1) {
      last = tf.reshape(tf.slice(tf.reshape(h, [B, T, -1]), [0, T - 1, 0], [B, 1, -1]), [B, -1]) as TF.Tensor2D;
      rows = 1;
    }
    const normed = rmsBeforeLinear(last, 'model.norm.weight') as TF.Tensor2D;
    const logits = tf.reshape(linear(normed, c.tieWordEmbeddings ? 'model.embed_tokens' : 'lm_head'), [B, rows, c.vocabSize]) as TF.Tensor3D;
    return { logits, kv: kvOut };
  }

  /** Linear layers for training: custom-gradient `x · Wᵀ` plus bias. */
  #trainLinear(weights: WeightMap) {
    return (x: TF.Tensor2D, prefix: string): TF.Tensor2D => {
      const w = weights.get(`${prefix}.weight`) as TF.Tensor2D;
      const y = this.ops.linear(x, w);
      const b = weights.get(`${prefix}.bias`);
      return b ? (this.tf.add(y, b) as TF.Tensor2D) : y;
    };
  }

  /**
   * Training linear layers of an adapter on a frozen base: `x · Wᵀ` from the base's cached Wᵀ with a gradient for x
   * only, plus bias, plus s·(x·Aᵀ)·Bᵀ with gradients for A and B.
   */
  #loraTrainLinear(weights: WeightMap, lora: LoraRun) {
    const tf = this.tf;
    return (x: TF.Tensor2D, prefix: string): TF.Tensor2D => {
      const w = weights.get(`${prefix}.weight`) as TF.Tensor2D;
      const wT = lora.baseT?.get(`${prefix}.weight`) as TF.Tensor2D | undefined;
      let y = wT ? this.ops.frozenLinear(x, wT, w) : this.ops.linear(x, w);
      const b = weights.get(`${prefix}.bias`);
      if (b) y = tf.add(y, b) as TF.Tensor2D;
      const a = lora.adapter.get(`${prefix}.lora_A.weight`) as TF.Tensor2D | undefined;
      if (!a) return y;
      const bMat = lora.adapter.get(`${prefix}.lora_B.weight`) as TF.Tensor2D;
      // The scale goes on the thin [N, r] intermediate, not on the [N, out] result.
      return tf.add(y, this.ops.linear(tf.mul(this.ops.linear(x, a), lora.scaling) as TF.Tensor2D, bMat)) as TF.Tensor2D;
    };
  }

  /**
   * Linear layers for inference from pre-transposed weights (`${prefix}.weight` holds Wᵀ [in, out]; fused
   * projections keep their bias next to it), plus an adapter's low-rank term when `lora` (from
   * `loraInferenceWeights`) has one for the prefix.
   */
  inferenceLinear(transposed: WeightMap, weights: WeightMap, lora?: WeightMap) {
    return (x: TF.Tensor2D, prefix: string): TF.Tensor2D => {
      let y: TF.Tensor2D = this.tf.matMul(x, transposed.get(`${prefix}.weight`) as TF.Tensor2D);
      const b = transposed.get(`${prefix}.bias`) ?? weights.get(`${prefix}.bias`);
      if (b) y = this.tf.add(y, b) as TF.Tensor2D;
      const aT = lora?.get(`${prefix}.lora_AT`) as TF.Tensor2D | undefined;
      if (aT) y = this.tf.add(y, this.tf.matMul(this.tf.matMul(x, aT), lora?.get(`${prefix}.lora_BT`) as TF.Tensor2D)) as TF.Tensor2D;
      return y;
    };
  }

  /** Wᵀ of every linear layer (kept; the caller disposes them): the frozen base's forward weights for LoRA training. */
  linearTransposes(weights: WeightMap): Map<string, TF.Tensor> {
    const out = new Map<string, TF.Tensor>();
    for (const [name, w] of weights) {
      if (w.rank !== 2 || !name.endsWith('.weight')) continue;
      if (name === 'model.embed_tokens.weight' && !this.config.tieWordEmbeddings) continue;
      out.set(name, this.tf.keep(this.tf.transpose(w)));
    }
    return out;
  }

  /**
   * Inference copies of the matrices (kept; the caller disposes them): transposed, with q|k|v and gate|up fused into
   * one matrix each (`self_attn.qkv_proj`, `mlp.gate_up_proj`).
   */
  transposeWeights(weights: WeightMap): Map<string, TF.Tensor> {
    const tf = this.tf;
    const c = this.config;
    const out = new Map<string, TF.Tensor>();
    const get = (name: string) => weights.get(name) as TF.Tensor;
    // (diag(gain) · Wᵀ) folds an RMSNorm gain into the projection that reads the normalised vector.
    const withGain = (wT: TF.Tensor, gain: string) => tf.mul(wT, tf.reshape(get(gain), [-1, 1]));
    const scale = 1 / Math.sqrt(c.headDim);
    const qCols = c.numHeads * c.headDim;
    const kvCols = 2 * c.numKvHeads * c.headDim;
    // Queries take the attention scale (RoPE is linear, so it commutes); with q_norm the gain takes it instead.
    const qkvScale = c.qkNorm ? undefined : tf.concat([tf.fill([qCols], scale), tf.ones([kvCols])]);
    for (let l = 0; l < c.numLayers; l++) {
      const pre = `model.layers.${l}.`;
      const att = `${pre}self_attn.`;
      out.set(`${att}qkv_proj.weight`, tf.keep(tf.tidy(() => {
        const wT = withGain(tf.concat(['q_proj', 'k_proj', 'v_proj'].map((p) => tf.transpose(get(`${att}${p}.weight`))), 1), `${pre}input_layernorm.weight`);
        return qkvScale ? tf.mul(wT, qkvScale) : wT;
      })));
      if (c.qkvBias) {
        out.set(`${att}qkv_proj.bias`, tf.keep(tf.tidy(() => {
          const b = tf.concat(['q_proj', 'k_proj', 'v_proj'].map((p) => get(`${att}${p}.bias`)));
          return qkvScale ? tf.mul(b, qkvScale) : b;
        })));
      }
      if (c.qkNorm) out.set(`${att}q_norm.weight`, tf.keep(tf.mul(get(`${att}q_norm.weight`), scale)));
      out.set(`${pre}mlp.gate_up_proj.weight`, tf.keep(tf.tidy(() =>
        withGain(tf.concat([tf.transpose(get(`${pre}mlp.gate_proj.weight`)), tf.transpose(get(`${pre}mlp.up_proj.weight`))], 1), `${pre}post_attention_layernorm.weight`))));
      if (c.mlpBias) out.set(`${pre}mlp.gate_up_proj.bias`, tf.keep(tf.concat([get(`${pre}mlp.gate_proj.bias`), get(`${pre}mlp.up_proj.bias`)])));
      for (const name of [`${att}o_proj.weight`, `${pre}mlp.down_proj.weight`]) out.set(name, tf.keep(tf.transpose(get(name))));
    }
    const head = c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    out.set(head, tf.keep(tf.tidy(() => withGain(tf.transpose(get(head)), 'model.norm.weight'))));
    qkvScale?.dispose();
    return out;
  }

  /** cos/sin for rows with their own positions: positions [B*T] → [B, T, 1, hd]. */
  ropeFor(positions: ArrayLike<number>, b: number, t: number): { cos: TF.Tensor4D; sin: TF.Tensor4D } {
    const { cos, sin } = this.rope.gather(positions);
    const hd = this.config.headDim;
    return { cos: this.tf.tensor4d(cos, [b, t, 1, hd]), sin: this.tf.tensor4d(sin, [b, t, 1, hd]) };
  }

  #ropeRange(t: number): { cos: TF.Tensor4D; sin: TF.Tensor4D } {
    const tf = this.tf;
    if (t > this.rope.positions) throw new RangeError(`sequence of ${t} tokens exceeds the context limit of ${this.rope.positions}`);
    if (!this.#ropeTensors || this.#ropeTensors.length < t) {
      this.rope.ensure(t);
      this.#ropeTensors?.cos.dispose();
      this.#ropeTensors?.sin.dispose();
      const hd = this.config.headDim;
      const n = this.rope.rows;
      this.#ropeTensors = {
        cos: tf.keep(tf.tensor4d(this.rope.cos, [1, n, 1, hd])),
        sin: tf.keep(tf.tensor4d(this.rope.sin, [1, n, 1, hd])),
        length: n,
      };
    }
    const r = this.#ropeTensors;
    return { cos: tf.slice(r.cos, [0, 0, 0, 0], [1, t, 1, -1]), sin: tf.slice(r.sin, [0, 0, 0, 0], [1, t, 1, -1]) };
  }

  dispose(): void {
    this.#rot.r.dispose();
    this.#rot.rT.dispose();
    this.#ropeTensors?.cos.dispose();
    this.#ropeTensors?.sin.dispose();
    this.#ropeTensors = undefined;
  }
}

/** Additive causal mask [t, s] for queries at positions offset..offset+t-1 over keys 0..s-1. */
export function causalMask(t: number, s: number, offset: number): Float32Array {
  const m = new Float32Array(t * s);
  for (let i = 0; i < t; i++) for (let j = offset + i + 1; j < s; j++) m[i * s + j] = MASK_VALUE;
  return m;
}
