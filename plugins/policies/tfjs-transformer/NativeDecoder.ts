import type * as TF from '@tensorflow/tfjs-core';
import { MappaError } from '../../../core/util/MappaError.js';
import type { Tf } from '../../tfjs/loadTf.js';
import type { MatmulAddon } from '../../tfjs/nativeMatmul.js';
import { activeMatmulAddon } from '../../tfjs/nativeMatmul.js';
import { heapOffset, wasmHeap } from '../../tfjs/wasmHeap.js';
import type { WasmBackendInternals } from '../../tfjs/wasmHeap.js';
import type { InferenceWeights } from './GenerationEngine.js';
import type { TransformerModel } from './TransformerModel.js';

/** Per-layer weight slots, in the order decode.cc reads them. */
const SLOTS = ['self_attn.qkv_proj.weight', 'self_attn.qkv_proj.bias', 'self_attn.q_norm.weight', 'self_attn.k_norm.weight', 'self_attn.o_proj.weight', 'self_attn.o_proj.bias', 'mlp.gate_up_proj.weight', 'mlp.gate_up_proj.bias', 'mlp.down_proj.weight', 'mlp.down_proj.bias'] as const;

type NativeAddon = MatmulAddon & Required<Pick<MatmulAddon, 'decode' | 'prefill'>>;

/** A row of the native decoder: the token it feeds, at which position, and its own keys/values. */
export interface NativeRow {
  readonly token: number;
  readonly position: number;
  readonly cache: Float32Array;
  readonly capacity: number;
}

/** Parses `MAPPA_NATIVE_DECODE`: unset or `1` = fused decode when the OpenBLAS matmul is active, `0` = tfjs's ops. */
export function nativeDecodeEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env['MAPPA_NATIVE_DECODE']?.trim();
  if (!raw || raw === '1') return true;
  if (raw === '0') return false;
  throw new MappaError(`MAPPA_NATIVE_DECODE=${raw} is not valid`, { hint: 'use 0 (decode with tfjs ops) or 1 / unset (the fused native decode step when the OpenBLAS matmul is on)' });
}

/**
 * Generation in native calls (native/matmul/decode.cc): one prefill per batch of new requests and one call per decode
 * step, instead of ~30 tfjs ops per layer and step. Active when the OpenBLAS matmul is (`MAPPA_NATIVE_MATMUL=1`) unless
 * `MAPPA_NATIVE_DECODE=0`. Each row keeps its keys and values in a Float32Array of its own, so rows join and leave a
 * batch without copying the others' caches.
 */
export class NativeDecoder {
  readonly #dims: Int32Array;

  private constructor(
    readonly model: TransformerModel,
    readonly addon: NativeAddon,
  ) {
    const c = model.config;
    this.#dims = Int32Array.from([c.numLayers, c.hiddenSize, c.numHeads, c.numKvHeads, c.headDim, c.intermediateSize, c.vocabSize, c.qkNorm ? 1 : 0, 0]);
  }

  /** The decoder when the fused step can run for this model now (OpenBLAS matmul active, addon has it), else undefined. */
  static available(model: TransformerModel, env: NodeJS.ProcessEnv = process.env): NativeDecoder | undefined {
    if (!nativeDecodeEnabled(env)) return undefined;
    const addon = activeMatmulAddon(model.tf);
    if (!addon || typeof addon.decode !== 'function' || typeof addon.prefill !== 'function') return undefined;
    return new NativeDecoder(model, addon as NativeAddon);
  }

  /** Floats of one row's cache with room for `capacity` positions. */
  cacheFloats(capacity: number): number {
    const c = this.model.config;
    return c.numLayers * 2 * capacity * c.numKvHeads * c.headDim;
  }

  /**
   * Prefills each context on its own (no padding): new row caches with room for `capacities[i]` positions, and the
   * next-token logits [rows, vocab] after each context.
   */
  prefill(w: InferenceWeights, contexts: readonly (readonly number[])[], capacities: readonly number[]): { caches: Float32Array[]; logits: Float32Array } {
    const c = this.model.config;
    const n = contexts.length;
    const lengths = Int32Array.from(contexts, (ctx) => ctx.length);
    const tokens = new Int32Array(lengths.reduce((a, b) => a + b, 0));
    let at = 0;
    for (const ctx of contexts) {
      tokens.set(ctx, at);
      at += ctx.length;
    }
    const longest = Math.max(...lengths);
    const { cos, sin } = this.model.rope.gather(Int32Array.from({ length: longest }, (_, i) => i));
    const caches = capacities.map((cap) => new Float32Array(this.cacheFloats(cap)));
    const logits = new Float32Array(n * c.vocabSize);
    const dims = this.#dims.slice();
    dims[8] = n;
    const backend = this.#backend();
    const offsets = this.#offsetsFor(w, backend);
    this.addon.prefill(wasmHeap(backend), dims, c.rmsNormEps, offsets, tokens, lengths, cos, sin, caches, Int32Array.from(capacities), logits);
    return { caches, logits };
  }

  /** One decode step: logits [rows, vocab] for each row's token at its position; writes the row's keys/values there. */
  step(w: InferenceWeights, rows: readonly NativeRow[]): Float32Array {
    const c = this.model.config;
    const n = rows.length;
    const tokens = new Int32Array(n);
    const positions = new Int32Array(n);
    const capacities = new Int32Array(n);
    rows.forEach((r, i) => {
      tokens[i] = r.token;
      positions[i] = r.position;
      capacities[i] = r.capacity;
    });
    const { cos, sin } = this.model.rope.gather(positions);
    const logits = new Float32Array(n * c.vocabSize);
    const dims = this.#dims.slice();
    dims[8] = n;
    const backend = this.#backend();
    const offsets = this.#offsetsFor(w, backend);
    this.addon.decode(wasmHeap(backend), dims, c.rmsNormEps, offsets, tokens, positions, cos, sin, rows.map((r) => r.cache), capacities, logits);
    return logits;
  }

  #backend(): WasmBackendInternals {
    return this.model.tf.findBackend('wasm') as unknown as WasmBackendInternals;
  }

  /**
   * Heap byte offsets of the weights decode.cc reads, looked up on every call (a few map reads per layer): a
   * variable's `assign` moves its data, so offsets are never kept across calls.
   */
  #offsetsFor(w: InferenceWeights, backend: WasmBackendInternals): Float64Array {
    const c = this.model.config;
    const offsetOf = (name: string, t: TF.Tensor | undefined): number => {
      if (!t) return -1;
      if (t.dtype !== 'float32') throw new Error(`native decode: ${name} is ${t.dtype}, not float32`);
      const off = heapOffset(backend, t);
      if (off === undefined) throw new Error(`native decode: ${name} is not in the wasm heap`);
      return off;
    };
    const out = new Float64Array(c.numLayers * SLOTS.length + 2);
    for (let l = 0; l < c.numLayers; l++) {
      SLOTS.forEach((slot, s) => {
        const name = `model.layers.${l}.${slot}`;
        // Fused/transposed inference copies first; o_proj/down_proj biases and k_norm stay in the plain weights.
        out[l * SLOTS.length + s] = offsetOf(name, w.transposed.get(name) ?? (slot.endsWith('.bias') || slot.endsWith('norm.weight') ? w.weights.get(name) : undefined));
      });
    }
    out[c.numLayers * SLOTS.length] = offsetOf('model.embed_tokens.weight', w.weights.get('model.embed_tokens.weight'));
    const head = c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    out[c.numLayers * SLOTS.length + 1] = offsetOf(head, w.transposed.get(head));
    return out;
  }
}
