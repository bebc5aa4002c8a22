import { MappaError } from '../../../core/util/MappaError.js';

export const SUPPORTED_MODEL_TYPES = ['llama', 'qwen2', 'qwen3'] as const;
export type ModelType = (typeof SUPPORTED_MODEL_TYPES)[number];
const ARCHITECTURES: Record<ModelType, string> = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' };
const SUPPORTED_ROPE = ['default', 'linear', 'llama3'] as const;

export interface RopeScaling {
  readonly type: (typeof SUPPORTED_ROPE)[number];
  readonly factor?: number | undefined;
  readonly lowFreqFactor?: number | undefined;
  readonly highFreqFactor?: number | undefined;
  readonly originalMaxPositionEmbeddings?: number | undefined;
}

/** The decoder's shape and options, normalised from a Hugging Face `config.json` (Llama, Qwen2, Qwen3). */
export interface TransformerConfig {
  readonly modelType: ModelType;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly rope: RopeScaling;
  /**
   * Precision of the rotary inverse frequencies. transformers computes them in float32 and then casts the buffer
   * with the model, so a bf16/fp16 checkpoint runs with rounded frequencies; this reproduces it (from `dtype`).
   */
  readonly ropeDtype?: 'float32' | 'bfloat16' | 'float16' | undefined;
  readonly maxPositionEmbeddings: number;
  readonly tieWordEmbeddings: boolean;
  /** Biases on q/k/v projections (always on for Qwen2; `attention_bias` for Llama/Qwen3). */
  readonly qkvBias: boolean;
  readonly oBias: boolean;
  readonly mlpBias: boolean;
  /** Qwen3: RMSNorm over head_dim on queries and keys before RoPE. */
  readonly qkNorm: boolean;
  readonly bosTokenId?: number | undefined;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId?: number | undefined;
}

function bad(file: string, field: string, problem: string, hint?: string): MappaError {
  return new MappaError(`${file}: ${field} ${problem}`, hint ? { hint } : undefined);
}

function ids(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number');
  return [];
}

/** Parses and validates a Hugging Face `config.json`; `file` is named in every error. */
export function parseHfConfig(raw: Record<string, unknown>, file: string): TransformerConfig {
  const modelType = raw['model_type'];
  if (typeof modelType !== 'string' || !(SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw bad(file, 'model_type', `${JSON.stringify(modelType)} is not supported`, `supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')} (architectures ${Object.values(ARCHITECTURES).join(', ')})`);
  }
  const mt = modelType as ModelType;
  const archs = raw['architectures'];
  if (Array.isArray(archs) && archs.length > 0 && !archs.includes(ARCHITECTURES[mt])) {
    throw bad(file, 'architectures', `${JSON.stringify(archs)} is not supported for model_type ${mt}`, `supported architectures: ${Object.values(ARCHITECTURES).join(', ')}`);
  }
  const int = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw bad(file, key, `must be a positive integer (got ${JSON.stringify(v)})`);
    return v;
  };
  const hiddenSize = int('hidden_size');
  const numHeads = int('num_attention_heads');
  const numKvHeads = int('num_key_value_heads', numHeads);
  const headDim = int('head_dim', raw['head_dim'] == null ? hiddenSize / numHeads : undefined);
  if (numHeads % numKvHeads !== 0) throw bad(file, 'num_key_value_heads', `(${numKvHeads}) must divide num_attention_heads (${numHeads})`);
  if (headDim % 2 !== 0) throw bad(file, 'head_dim', `(${headDim}) must be even for rotary embeddings`);
  const act = raw['hidden_act'] ?? 'silu';
  if (act !== 'silu') throw bad(file, 'hidden_act', `${JSON.stringify(act)} is not supported`, 'only silu (SwiGLU) is supported');
  if (raw['use_sliding_window'] === true) throw bad(file, 'use_sliding_window', 'is true; sliding-window attention is not supported');

  // transformers 5 puts rope settings in `rope_parameters`; older configs use top-level `rope_theta` + `rope_scaling`.
  const params = (raw['rope_parameters'] ?? raw['rope_scaling'] ?? {}) as Record<string, unknown>;
  const ropeTheta = Number(params['rope_theta'] ?? raw['rope_theta'] ?? 10000);
  if (!(ropeTheta > 0)) throw bad(file, 'rope_theta', `must be positive (got ${ropeTheta})`);
  const ropeType = String(params['rope_type'] ?? params['type'] ?? 'default');
  if (!(SUPPORTED_ROPE as readonly string[]).includes(ropeType)) {
    throw bad(file, 'rope_type', `${JSON.stringify(ropeType)} is not supported`, `supported rope types: ${SUPPORTED_ROPE.join(', ')}`);
  }
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const eps = raw['rms_norm_eps'] ?? 1e-6;
  if (typeof eps !== 'number' || !(eps > 0)) throw bad(file, 'rms_norm_eps', `must be a positive number (got ${JSON.stringify(eps)})`);
  const attentionBias = raw['attention_bias'] === true;
  const dtypeName = String(raw['dtype'] ?? raw['torch_dtype'] ?? 'float32');
  return {
    modelType: mt,
    vocabSize: int('vocab_size'),
    hiddenSize,
    numLayers: int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: int('intermediate_size'),
    rmsNormEps: eps,
    ropeTheta,
    rope: {
      type: ropeType as RopeScaling['type'],
      factor: num(params['factor']),
      lowFreqFactor: num(params['low_freq_factor']),
      highFreqFactor: num(params['high_freq_factor']),
      originalMaxPositionEmbeddings: num(params['original_max_position_embeddings']),
    },
    ropeDtype: dtypeName === 'bfloat16' || dtypeName === 'float16' ? dtypeName : 'float32',
    maxPositionEmbeddings: int('max_position_embeddings', 2048),
    tieWordEmbeddings: raw['tie_word_embeddings'] === true,
    qkvBias: mt === 'qwen2' ? true : attentionBias,
    oBias: mt === 'qwen2' ? false : attentionBias,
    mlpBias: raw['mlp_bias'] === true,
    qkNorm: mt === 'qwen3',
    bosTokenId: num(raw['bos_token_id']),
    eosTokenIds: ids(raw['eos_token_id']),
    padTokenId: num(raw['pad_token_id']),
  };
}

/** The `config.json` for a config; `base` (the loaded file) keeps fields this code does not interpret. */
export function toHfConfig(c: TransformerConfig, dtype: string, base: Record<string, unknown> = {}): Record<string, unknown> {
  const rope: Record<string, unknown> = { rope_theta: c.ropeTheta, rope_type: c.rope.type };
  if (c.rope.factor !== undefined) rope['factor'] = c.rope.factor;
  if (c.rope.lowFreqFactor !== undefined) rope['low_freq_factor'] = c.rope.lowFreqFactor;
  if (c.rope.highFreqFactor !== undefined) rope['high_freq_factor'] = c.rope.highFreqFactor;
  if (c.rope.originalMaxPositionEmbeddings !== undefined) rope['original_max_position_embeddings'] = c.rope.originalMaxPositionEmbeddings;
  const out: Record<string, unknown> = {
    ...base,
    architectures: [ARCHITECTURES[c.modelType]],
    model_type: c.modelType,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    intermediate_size: c.intermediateSize,
    hidden_act: 'silu',
    rms_norm_eps: c.rmsNormEps,
    max_position_embeddings: c.maxPositionEmbeddings,
    tie_word_embeddings: c.tieWordEmbeddings,
    // Both rope forms, so older and newer transformers read the file.
    rope_theta: c.ropeTheta,
    rope_parameters: rope,
    dtype,
    torch_dtype: dtype,
  };
  if (c.rope.type !== 'default') out['rope_scaling'] = { ...rope, type: c.rope.type };
  else delete out['rope_scaling'];
  if (c.modelType !== 'qwen2') out['attention_bias'] = c.qkvBias;
  if (c.modelType === 'llama') out['mlp_bias'] = c.mlpBias;
  if (c.bosTokenId !== undefined) out['bos_token_id'] = c.bosTokenId;
  if (c.eosTokenIds.length > 0) out['eos_token_id'] = c.eosTokenIds.length === 1 ? c.eosTokenIds[0] : [...c.eosTokenIds];
  if (c.padTokenId !== undefined) out['pad_token_id'] = c.padTokenId;
  return out;
}

/** Parameter names and shapes a config implies, in Hugging Face naming and [out, in] layout. */
export function expectedParameters(c: TransformerConfig): Map<string, number[]> {
  const p = new Map<string, number[]>();
  const d = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  p.set('model.embed_tokens.weight', [c.vocabSize, d]);
  for (let i = 0; i < c.numLayers; i++) {
    const pre = `model.layers.${i}.`;
    p.set(`${pre}self_attn.q_proj.weight`, [q, d]);
    if (c.qkvBias) p.set(`${pre}self_attn.q_proj.bias`, [q]);
    p.set(`${pre}self_attn.k_proj.weight`, [kv, d]);
    if (c.qkvBias) p.set(`${pre}self_attn.k_proj.bias`, [kv]);
    p.set(`${pre}self_attn.v_proj.weight`, [kv, d]);
    if (c.qkvBias) p.set(`${pre}self_attn.v_proj.bias`, [kv]);
    p.set(`${pre}self_attn.o_proj.weight`, [d, q]);
    if (c.oBias) p.set(`${pre}self_attn.o_proj.bias`, [d]);
    if (c.qkNorm) {
      p.set(`${pre}self_attn.q_norm.weight`, [c.headDim]);
      p.set(`${pre}self_attn.k_norm.weight`, [c.headDim]);
    }
    p.set(`${pre}mlp.gate_proj.weight`, [c.intermediateSize, d]);
    p.set(`${pre}mlp.up_proj.weight`, [c.intermediateSize, d]);
    p.set(`${pre}mlp.down_proj.weight`, [d, c.intermediateSize]);
    if (c.mlpBias) {
      p.set(`${pre}mlp.gate_proj.bias`, [c.intermediateSize]);
      p.set(`${pre}mlp.up_proj.bias`, [c.intermediateSize]);
      p.set(`${pre}mlp.down_proj.bias`, [d]);
    }
    p.set(`${pre}input_layernorm.weight`, [d]);
    p.set(`${pre}post_attention_layernorm.weight`, [d]);
  }
  p.set('model.norm.weight', [d]);
  if (!c.tieWordEmbeddings) p.set('lm_head.weight', [c.vocabSize, d]);
  return p;
}
