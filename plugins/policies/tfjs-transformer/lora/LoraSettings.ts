import type { TransformerConfig } from '../TransformerConfig.js';

/** The linear layers an adapter may target, by their Hugging Face module names. */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

/** Shape of an adapter (PEFT's LoraConfig fields this decoder supports). */
export interface LoraSettings {
  readonly r: number;
  readonly alpha: number;
  readonly targets: readonly LoraTarget[];
  /** Recorded in adapter_config.json; training uses no dropout (see docs/lora.md). */
  readonly dropout: number;
  readonly rslora: boolean;
}

/** s in ΔW = s·B·A: alpha/r, or alpha/√r with rsLoRA (PEFT's `layer.py`). */
export function loraScaling(s: Pick<LoraSettings, 'r' | 'alpha' | 'rslora'>): number {
  return s.rslora ? s.alpha / Math.sqrt(s.r) : s.alpha / s.r;
}

export function loraModule(t: LoraTarget): 'self_attn' | 'mlp' {
  return t.endsWith('_proj') && ['gate_proj', 'up_proj', 'down_proj'].includes(t) ? 'mlp' : 'self_attn';
}

/** in/out features of a target linear layer (nn.Linear layout: weight [out, in]). */
export function targetDims(c: TransformerConfig, t: LoraTarget): { in: number; out: number } {
  const d = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  switch (t) {
    case 'q_proj':
      return { in: d, out: q };
    case 'k_proj':
    case 'v_proj':
      return { in: d, out: kv };
    case 'o_proj':
      return { in: q, out: d };
    case 'gate_proj':
    case 'up_proj':
      return { in: d, out: c.intermediateSize };
    case 'down_proj':
      return { in: c.intermediateSize, out: d };
  }
}

/** `model.layers.{i}.self_attn.q_proj` */
export function modulePrefix(layer: number, t: LoraTarget): string {
  return `model.layers.${layer}.${loraModule(t)}.${t}`;
}

/**
 * Adapter tensor names (PEFT's keys without the `base_model.model.` prefix) and shapes: `lora_A.weight` [r, in],
 * `lora_B.weight` [out, r], for every layer and target.
 */
export function loraParameters(c: TransformerConfig, s: Pick<LoraSettings, 'r' | 'targets'>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let l = 0; l < c.numLayers; l++) {
    for (const t of LORA_TARGETS) {
      if (!s.targets.includes(t)) continue;
      const dims = targetDims(c, t);
      out.set(`${modulePrefix(l, t)}.lora_A.weight`, [s.r, dims.in]);
      out.set(`${modulePrefix(l, t)}.lora_B.weight`, [dims.out, s.r]);
    }
  }
  return out;
}
