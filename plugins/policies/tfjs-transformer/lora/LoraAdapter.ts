import type * as TF from '@tensorflow/tfjs-core';
import type { Tf } from '../../../tfjs/loadTf.js';
import type { TransformerConfig } from '../TransformerConfig.js';
import type { WeightMap } from '../TransformerModel.js';
import { LORA_TARGETS, loraParameters, loraScaling, modulePrefix, targetDims } from './LoraSettings.js';
import type { LoraSettings, LoraTarget } from './LoraSettings.js';

/** What the decoder needs to run an adapter on a frozen base (see `TransformerModel.forward`). */
export interface LoraRun {
  /** Adapter matrices by name (`model.layers.0.self_attn.q_proj.lora_A.weight`). */
  readonly adapter: WeightMap;
  readonly scaling: number;
  /** Training path: Wᵀ [in, out] of the base's linear layers by `${prefix}.weight` (no base gradients). */
  readonly baseT?: WeightMap;
  /** Inference path: `${fusedPrefix}.lora_AT` [in, k·r] and `.lora_BT` [k·r, out] from `loraInferenceWeights`. */
  readonly inference?: WeightMap;
}

/**
 * A LoRA adapter's matrices as tfjs variables: A [r, in] initialised as PEFT does (kaiming-uniform with a = √5, i.e.
 * U(−1/√in, 1/√in)), seeded; B [out, r] zero, so a new adapter leaves the base's outputs unchanged exactly.
 */
export class LoraAdapter {
  constructor(
    readonly settings: LoraSettings,
    /** Owned by the adapter. */
    readonly variables: Map<string, TF.Variable>,
  ) {}

  get scaling(): number {
    return loraScaling(this.settings);
  }

  static init(tf: Tf, config: TransformerConfig, settings: LoraSettings, seed: number): LoraAdapter {
    const vars = new Map<string, TF.Variable>();
    let i = 0;
    for (const [name, shape] of loraParameters(config, settings)) {
      const init = tf.tidy(() => {
        if (name.endsWith('lora_B.weight')) return tf.zeros(shape);
        const bound = 1 / Math.sqrt(shape[1] as number);
        return tf.randomUniform(shape, -bound, bound, 'float32', seed + 104729 * i++);
      });
      vars.set(name, tf.variable(init, true));
      init.dispose();
    }
    return new LoraAdapter(settings, vars);
  }

  static fromTensors(tf: Tf, settings: LoraSettings, tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>): LoraAdapter {
    const vars = new Map<string, TF.Variable>();
    for (const [name, t] of tensors) {
      const init = tf.tensor(t.data, [...t.shape], 'float32');
      vars.set(name, tf.variable(init, true));
      init.dispose();
    }
    return new LoraAdapter(settings, vars);
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}

/**
 * Inference tensors of an adapter (kept; the caller disposes them) for the decoder's fused, pre-transposed inference
 * weights: per layer, q|k|v and gate|up share one A (the targets' Aᵀ side by side, with the RMSNorm gain folded in as
 * for the base) and one block-diagonal B (each target's s·Bᵀ in its columns, queries carrying the attention scale
 * when the base folds it there), so a fused projection costs two thin matmuls more, whatever the number of targets.
 */
export function loraInferenceWeights(tf: Tf, config: TransformerConfig, base: WeightMap, adapter: WeightMap, settings: LoraSettings): Map<string, TF.Tensor> {
  const out = new Map<string, TF.Tensor>();
  const s = loraScaling(settings);
  const r = settings.r;
  const attScale = 1 / Math.sqrt(config.headDim);
  const get = (name: string) => adapter.get(name) as TF.Tensor2D;
  const fused = (layer: number, fusedPrefix: string, members: readonly LoraTarget[], gain: string, colScale: (t: LoraTarget) => number) => {
    const used = members.filter((t) => settings.targets.includes(t));
    if (used.length === 0) return;
    const widths = members.map((t) => targetDims(config, t).out);
    const total = widths.reduce((a, b) => a + b, 0);
    out.set(`${fusedPrefix}.lora_AT`, tf.keep(tf.tidy(() =>
      tf.mul(tf.concat(used.map((t) => tf.transpose(get(`${modulePrefix(layer, t)}.lora_A.weight`))), 1), tf.reshape(base.get(gain) as TF.Tensor, [-1, 1])))));
    out.set(`${fusedPrefix}.lora_BT`, tf.keep(tf.tidy(() => {
      const rows = used.map((t) => {
        const at = members.indexOf(t);
        const before = widths.slice(0, at).reduce((a, b) => a + b, 0);
        const w = widths[at] as number;
        const bT = tf.mul(tf.transpose(get(`${modulePrefix(layer, t)}.lora_B.weight`)), s * colScale(t));
        const parts: TF.Tensor[] = [];
        if (before > 0) parts.push(tf.zeros([r, before]));
        parts.push(bT);
        if (total - before - w > 0) parts.push(tf.zeros([r, total - before - w]));
        return parts.length === 1 ? bT : tf.concat(parts, 1);
      });
      return rows.length === 1 ? (rows[0] as TF.Tensor) : tf.concat(rows, 0);
    })));
  };
  for (let l = 0; l < config.numLayers; l++) {
    const pre = `model.layers.${l}.`;
    // Without q_norm the base folds 1/√head_dim into the query columns; with q_norm it sits in the q_norm gain.
    fused(l, `${pre}self_attn.qkv_proj`, ['q_proj', 'k_proj', 'v_proj'], `${pre}input_layernorm.weight`, (t) => (t === 'q_proj' && !config.qkNorm ? attScale : 1));
    fused(l, `${pre}mlp.gate_up_proj`, ['gate_proj', 'up_proj'], `${pre}post_attention_layernorm.weight`, () => 1);
    for (const t of ['o_proj', 'down_proj'] as const) {
      if (!settings.targets.includes(t)) continue;
      const p = modulePrefix(l, t);
      out.set(`${p}.lora_AT`, tf.keep(tf.transpose(get(`${p}.lora_A.weight`))));
      out.set(`${p}.lora_BT`, tf.keep(tf.tidy(() => tf.mul(tf.transpose(get(`${p}.lora_B.weight`)), s))));
    }
  }
  return out;
}

/** W + s·B·A for every target: full weights of the merged model (kept; the caller disposes the new tensors). */
export function mergeLora(tf: Tf, config: TransformerConfig, base: WeightMap, adapter: WeightMap, settings: LoraSettings): Map<string, TF.Tensor> {
  const out = new Map<string, TF.Tensor>(base);
  const s = loraScaling(settings);
  for (let l = 0; l < config.numLayers; l++) {
    for (const t of LORA_TARGETS) {
      if (!settings.targets.includes(t)) continue;
      const p = modulePrefix(l, t);
      const w = base.get(`${p}.weight`) as TF.Tensor2D;
      out.set(`${p}.weight`, tf.keep(tf.tidy(() => tf.add(w, tf.mul(tf.matMul(adapter.get(`${p}.lora_B.weight`) as TF.Tensor2D, adapter.get(`${p}.lora_A.weight`) as TF.Tensor2D), s)))));
    }
  }
  return out;
}
