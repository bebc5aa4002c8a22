import { resolve } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
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
import type { TfjsTransformerPolicyOptions } from './TfjsTransformerPolicy.js';
import type { TransformerConfig } from './TransformerConfig.js';
import { TransformerModel } from './TransformerModel.js';
import { LoraAdapter } from './lora/LoraAdapter.js';
import { LoraBase, acquireSharedBase } from './lora/LoraBase.js';
import { LORA_TARGETS } from './lora/LoraSettings.js';
import type { LoraTarget } from './lora/LoraSettings.js';
import { readPeftAdapter } from './lora/peftAdapterFiles.js';

/** The `lora` options of a policy: train an adapter on a frozen, shared base. */
export interface LoraOptions {
  readonly r?: number | undefined;
  /** Default 8 (PEFT's). */
  readonly alpha?: number | undefined;
  /** Default: all seven linear layers of a block. */
  readonly targets?: readonly LoraTarget[] | undefined;
  /** Only 0 is supported for training (a PEFT adapter with dropout loads: dropout acts only in training). */
  readonly dropout?: number | undefined;
  readonly rslora?: boolean | undefined;
  /** Frozen reference for KL: the adapter when training starts (`initial`, default) or the bare base. */
  readonly reference?: 'initial' | 'base' | undefined;
  /** Seed of A's initialisation (default 0). */
  readonly seed?: number | undefined;
  /** Start from this PEFT adapter directory instead of a new adapter. */
  readonly adapter?: string | undefined;
}

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
  /** Train a LoRA adapter on frozen base weights instead of the full model. */
  readonly lora?: LoraOptions | undefined;
  /**
   * With `lora`: name of the base; LoRA policies naming the same base share one copy of its weights (default: the
   * model source, so identical `preset`/`tokenizer`/`seed` or `path` share).
   */
  readonly base?: string | undefined;
}

/** Plain factory (no DI): a from-scratch preset model, or a Hugging Face checkpoint. */
export async function createTfjsTransformerPolicy(o: CreateTfjsTransformerPolicyOptions): Promise<TfjsTransformerPolicy> {
  if ((o.preset === undefined) === (o.path === undefined)) {
    throw new MappaError('tfjs-transformer: give exactly one of `preset` (a new model) or `path` (a Hugging Face checkpoint directory)');
  }
  const { tf, backend, source, skipped, matmul } = await loadTf();
  o.logger?.info(`tfjs-transformer ${o.id ?? ''}: TensorFlow.js backend ${backend} (${source}), matmul ${matmul.path} (${matmul.detail})`.replace('  ', ' '));
  // The native backends are optional installs (debug); losing wasm for the pure-JS cpu backend is a slowdown worth a warning.
  if (skipped.length) {
    const level = backend === 'cpu' ? 'warn' : 'debug';
    o.logger?.[level](`TensorFlow.js backends skipped (set MAPPA_TF_BACKEND to make this an error): ${skipped.join('; ')}`);
  }
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
    const options = {
      ...common,
      config,
      tokenizer,
      weights: new Map<string, TF.Variable>(),
      generation: { eosTokenIds: [eos] },
      sampling: sampling({}),
      maxContextLength,
      saveDtype: o.dtype ?? 'float32',
    };
    if (o.lora) {
      const label = `preset:${o.preset}/${o.tokenizer ?? 'byte'}/seed=${o.seed ?? 0}/context=${maxContextLength}`;
      return loraPolicy(tf, options, o, label, async () => {
        const model = new TransformerModel(tf, config, maxContextLength);
        return new LoraBase(model, model.initWeights(o.seed ?? 0), label, true);
      });
    }
    const policy = new TfjsTransformerPolicy(options);
    for (const [name, v] of policy.model.initWeights(o.seed ?? 0)) (policy.variables() as Map<string, TF.Variable>).set(name, v);
    return policy;
  }

  const dir = o.path as string;
  const info = await readCheckpointInfo(dir, { chatTemplateFile: o.chatTemplate });
  const maxContextLength = o.maxContextLength ?? info.config.maxPositionEmbeddings;
  if (maxContextLength > info.config.maxPositionEmbeddings) {
    throw new MappaError(`tfjs-transformer: maxContextLength ${maxContextLength} exceeds max_position_embeddings ${info.config.maxPositionEmbeddings} of ${dir}`);
  }
  const load = async () => {
    const weights = new Map<string, TF.Variable>();
    try {
      await streamWeights(dir, info.config, (t) => {
        const init = tf.tensor(t.data as Float32Array, [...t.shape], 'float32');
        // A LoRA base is never trained: plain (non-trainable) variables.
        weights.set(t.name, tf.variable(init, !o.lora));
        init.dispose();
      });
    } catch (err) {
      for (const v of weights.values()) v.dispose();
      throw err;
    }
    return weights;
  };
  const options = {
    ...common,
    config: info.config,
    tokenizer: info.tokenizer,
    weights: new Map<string, TF.Variable>(),
    generation: info.generation,
    sampling: sampling(info.generation),
    maxContextLength,
    saveDtype: o.dtype ?? info.dtype,
    rawConfig: info.rawConfig,
    rawGenerationConfig: info.rawGenerationConfig,
    sourcePath: dir,
  };
  if (o.lora) {
    return loraPolicy(tf, options, o, resolve(dir), async () => new LoraBase(new TransformerModel(tf, info.config, maxContextLength), await load(), resolve(dir), true));
  }
  return new TfjsTransformerPolicy({ ...options, weights: await load() });
}

/** A LoRA policy: the shared base (loaded by the first policy that names it) and a new or loaded adapter. */
async function loraPolicy(
  tf: TfjsTransformerPolicyOptions['tf'],
  options: TfjsTransformerPolicyOptions,
  o: CreateTfjsTransformerPolicyOptions,
  source: string,
  loadBase: () => Promise<LoraBase>,
): Promise<TfjsTransformerPolicy> {
  const l = o.lora as LoraOptions;
  if ((l.dropout ?? 0) !== 0) {
    throw new MappaError(`tfjs-transformer: lora.dropout ${l.dropout} is not supported for training`, {
      hint: 'set lora.dropout: 0 (adapters trained elsewhere with dropout load fine: dropout only acts in training)',
    });
  }
  const base = await acquireSharedBase(o.base ?? source, source, loadBase);
  try {
    const config: TransformerConfig = options.config;
    let adapter: LoraAdapter;
    if (l.adapter !== undefined) {
      const data = await readPeftAdapter(l.adapter, config);
      adapter = LoraAdapter.fromTensors(tf, data.settings, data.tensors);
    } else {
      const settings = { r: l.r ?? 8, alpha: l.alpha ?? 8, targets: LORA_TARGETS.filter((t) => (l.targets ?? LORA_TARGETS).includes(t)), dropout: 0, rslora: l.rslora ?? false };
      adapter = LoraAdapter.init(tf, config, settings, l.seed ?? 0);
    }
    return new TfjsTransformerPolicy({ ...options, lora: { base, adapter, reference: l.reference } });
  } catch (err) {
    base.release();
    throw err;
  }
}
