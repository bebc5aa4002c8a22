import type * as TF from '@tensorflow/tfjs';
import type { Logger } from '../../../core/contracts/Logger.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { loadTf } from '../../tfjs/loadTf.js';
import { readCheckpointInfo, streamWeights } from './hfCheckpoint.js';
import type { PresetName } from './presets.js';
import { presetConfig } from './presets.js';
import type { SaveDtype } from './safetensors.js';
import { scratchTokenizerFiles } from './scratchTokenizer.js';
import type { ScratchTokenizerKind } from './scratchTokenizer.js';
import { TextTokenizer } from './TextTokenizer.js';
import { TfjsTransformerPolicy } from './TfjsTransformerPolicy.js';

export interface CreateTfjsTransformerPolicyOptions {
  readonly id?: string | undefined;
  /** Build a new model from a preset (random weights)… */
  readonly preset?: PresetName | undefined;
  /** …with this tokenizer (default `byte`). */
  readonly tokenizer?: ScratchTokenizerKind | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** …or load a Hugging Face checkpoint directory (config.json, model.safetensors, tokenizer.json). */
  readonly path?: string | undefined;
  /** Chat template file overriding the checkpoint's. */
  readonly chatTemplate?: string | undefined;
  /** Dtype `save()` writes (default: the checkpoint's, float32 for presets). */
  readonly dtype?: SaveDtype | undefined;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly topK?: number | undefined;
  readonly maxNewTokens?: number | undefined;
  readonly stopStrings?: readonly string[] | undefined;
  /** Longest context + generation in tokens (default: max_position_embeddings, 1024 for presets). */
  readonly maxContextLength?: number | undefined;
  /** Concurrent generate calls decoded together at most (default 32). */
  readonly maxBatchSize?: number | undefined;
  /** Padded tokens per scoring forward pass (default 8192). */
  readonly scoreBatchTokens?: number | undefined;
  readonly useKvCache?: boolean | undefined;
  /** Regex whose first group is a tool call's `{"name", "arguments"}` JSON (default: Qwen's `<tool_call>…</tool_call>`). */
  readonly toolCallPattern?: string | undefined;
  readonly logger?: Logger | undefined;
}

/** Plain factory (no DI): a from-scratch preset model, or a Hugging Face checkpoint. */
export async function createTfjsTransformerPolicy(o: CreateTfjsTransformerPolicyOptions): Promise<TfjsTransformerPolicy> {
  if ((o.preset === undefined) === (o.path === undefined)) {
    throw new MappaError('tfjs-transformer: give exactly one of `preset` (a new model) or `path` (a Hugging Face checkpoint directory)');
  }
  const { tf, backend, source } = await loadTf();
  o.logger?.info(`tfjs-transformer ${o.id ?? ''}: TensorFlow.js backend ${backend} (${source})`.replace('  ', ' '));
  const common = {
    id: o.id ?? o.path ?? `${o.preset}-preset`,
    tf,
    backend,
    maxBatchSize: o.maxBatchSize ?? 32,
    scoreBatchTokens: o.scoreBatchTokens ?? 8192,
    useKvCache: o.useKvCache,
    toolCallPattern: o.toolCallPattern,
    logger: o.logger,
  };
  const sampling = (g: { temperature?: number | undefined; topP?: number | undefined; topK?: number | undefined }) => ({
    temperature: o.temperature ?? g.temperature ?? 1,
    topP: o.topP ?? g.topP ?? 1,
    topK: o.topK ?? g.topK ?? 0,
    maxNewTokens: o.maxNewTokens ?? 256,
    stopStrings: o.stopStrings ?? [],
  });

  if (o.preset !== undefined) {
    const files = scratchTokenizerFiles(o.tokenizer ?? 'byte');
    const tokenizer = new TextTokenizer(files, `${o.preset} preset`);
    const maxContextLength = o.maxContextLength ?? 1024;
    const eos = tokenizer.eosTokenId as number;
    const config = presetConfig(o.preset, tokenizer.size, { maxPositions: maxContextLength, eosTokenIds: [eos], padTokenId: tokenizer.padTokenId });
    const policy = new TfjsTransformerPolicy({
      ...common,
      config,
      tokenizer,
      weights: new Map(),
      generation: { eosTokenIds: [eos] },
      sampling: sampling({}),
      maxContextLength,
      saveDtype: o.dtype ?? 'float32',
    });
    for (const [name, v] of policy.model.initWeights(o.seed ?? 0)) (policy.variables() as Map<string, TF.Variable>).set(name, v);
    return policy;
  }

  const dir = o.path as string;
  const info = await readCheckpointInfo(dir, { chatTemplateFile: o.chatTemplate });
  const maxContextLength = o.maxContextLength ?? info.config.maxPositionEmbeddings;
  if (maxContextLength > info.config.maxPositionEmbeddings) {
    throw new MappaError(`tfjs-transformer: maxContextLength ${maxContextLength} exceeds max_position_embeddings ${info.config.maxPositionEmbeddings} of ${dir}`);
  }
  const weights = new Map<string, TF.Variable>();
  try {
    await streamWeights(dir, info.config, (t) => {
      const init = tf.tensor(t.data as Float32Array, [...t.shape], 'float32');
      weights.set(t.name, tf.variable(init, true));
      init.dispose();
    });
  } catch (err) {
    for (const v of weights.values()) v.dispose();
    throw err;
  }
  return new TfjsTransformerPolicy({
    ...common,
    config: info.config,
    tokenizer: info.tokenizer,
    weights,
    generation: info.generation,
    sampling: sampling(info.generation),
    maxContextLength,
    saveDtype: o.dtype ?? info.dtype,
    rawConfig: info.rawConfig,
    rawGenerationConfig: info.rawGenerationConfig,
  });
}
