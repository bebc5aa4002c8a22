import type { TransformerConfig } from './TransformerConfig.js';

export const PRESET_NAMES = ['tiny', 'small', 'medium'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Model shapes of the presets; the same as `shared/bench/torch_reference.py` (vocab comes from the tokenizer). */
export const PRESET_SHAPES: Record<PresetName, { hiddenSize: number; numLayers: number; numHeads: number; numKvHeads: number; intermediateSize: number }> = {
  tiny: { hiddenSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 128 },
  small: { hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 2, intermediateSize: 384 },
  medium: { hiddenSize: 256, numLayers: 6, numHeads: 8, numKvHeads: 4, intermediateSize: 704 },
};

/** A Llama-style config (untied LM head, RoPE theta 10000, RMSNorm eps 1e-6) for a preset and vocabulary. */
export function presetConfig(
  preset: PresetName,
  vocabSize: number,
  opts: { maxPositions?: number; eosTokenIds?: readonly number[]; padTokenId?: number | undefined } = {},
): TransformerConfig {
  const s = PRESET_SHAPES[preset];
  return {
    modelType: 'llama',
    vocabSize,
    ...s,
    headDim: s.hiddenSize / s.numHeads,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    rope: { type: 'default' },
    maxPositionEmbeddings: opts.maxPositions ?? 2048,
    tieWordEmbeddings: false,
    qkvBias: false,
    oBias: false,
    mlpBias: false,
    qkNorm: false,
    eosTokenIds: opts.eosTokenIds ?? [],
    padTokenId: opts.padTokenId,
  };
}
