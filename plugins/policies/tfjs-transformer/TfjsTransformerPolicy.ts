import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import type { GenerateRequest, Generation, ScoreRequest, SharedBase } from '../../../core/contracts/Policy.js';
import type { Logger } from '../../../core/contracts/Logger.js';
import { firstNonFinite } from '../../../core/util/firstNonFinite.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { Rng } from '../../../core/util/Rng.js';
import type { Tf } from '../../tfjs/loadTf.js';
import { GenerationEngine } from './GenerationEngine.js';
import type { InferenceWeights } from './GenerationEngine.js';
import { readCheckpointInfo, streamWeights, writeCheckpoint } from './hfCheckpoint.js';
import type { GenerationDefaults } from './hfCheckpoint.js';
import { renderContext } from './renderContext.js';
import { parseToolCallText, QWEN_TOOL_CALL_PATTERN } from '../../../core/tools/parseToolCallText.js';
import type { SaveDtype } from './safetensors.js';
import type { TextTokenizer } from './TextTokenizer.js';
import type { FrozenModel, TrainablePolicy } from './TrainablePolicy.js';
import type { TransformerConfig } from './TransformerConfig.js';
import { TransformerModel } from './TransformerModel.js';
import { LoraAdapter, loraInferenceWeights } from './lora/LoraAdapter.js';
import type { LoraRun } from './lora/LoraAdapter.js';
import { LoraBase } from './lora/LoraBase.js';
import { isPeftAdapterDir, readPeftAdapter, writePeftAdapter } from './lora/peftAdapterFiles.js';

/** Sampling defaults of a policy; a request's `sampling` overrides them field by field. */
export interface PolicySamplingDefaults {
  readonly temperature: number;
  readonly topP: number;
  /** 0 = off. */
  readonly topK: number;
  readonly maxNewTokens: number;
  readonly stopStrings: readonly string[];
}

export interface TfjsTransformerPolicyOptions {
  readonly id: string;
  readonly tf: Tf;
  /** Backend name (`wasm`, `cpu`, `tensorflow`), reported in `info`. */
  readonly backend: string;
  readonly config: TransformerConfig;
  readonly tokenizer: TextTokenizer;
  /** Parameters by Hugging Face name; the policy owns (and disposes) them. */
  readonly weights: Map<string, TF.Variable>;
  readonly generation: GenerationDefaults;
  readonly sampling: PolicySamplingDefaults;
  /** Longest context + generation (positions); defaults to the config's max_position_embeddings. */
  readonly maxContextLength: number;
  readonly maxBatchSize: number;
  /** Tokens per forward pass when scoring (rows are grouped up to this many padded tokens). */
  readonly scoreBatchTokens: number;
  readonly saveDtype: SaveDtype;
  readonly rawConfig?: Record<string, unknown> | undefined;
  readonly rawGenerationConfig?: Record<string, unknown> | undefined;
  /** Checkpoint directory the weights came from (an adapter's `base_model_name_or_path`). */
  readonly sourcePath?: string | undefined;
  /** KV-cache decoding (default); false recomputes the whole sequence every step (for checks). */
  readonly useKvCache?: boolean | undefined;
  /** Regex of a tool call in generated text (first group: `{"name", "arguments"}` JSON); default Qwen's `<tool_call>`. */
  readonly toolCallPattern?: string | undefined;
  readonly logger?: Logger | undefined;
  /**
   * A LoRA policy: `weights` is unused; the policy runs `adapter` on the shared frozen `base` and trains only the
   * adapter. `reference`: what `snapshot()` freezes: the adapter as it is (`initial`, the default) or the bare base.
   */
  readonly lora?: { readonly base: LoraBase; readonly adapter: LoraAdapter; readonly reference?: 'initial' | 'base' | undefined } | undefined;
}

/** A LoRA adapter to attach with `withAdapter`: a PEFT adapter directory, or an adapter object. */
export type AdapterSource = string | LoraAdapter;

const STATE_FILE = 'mappa_policy.json';

/**
 * A trainable Llama / Qwen2 / Qwen3 policy running in TensorFlow.js. Generation batches concurrent calls into one
 * KV-cache decode loop; contexts reuse the exact token ids of earlier assistant messages; save/load use the Hugging
 * Face layout.
 */
export class TfjsTransformerPolicy implements TrainablePolicy {
  readonly trainable = true as const;
  readonly model: TransformerModel;
  readonly #o: TfjsTransformerPolicyOptions;
  readonly #engine: GenerationEngine;
  readonly #endIds: ReadonlySet<number>;
  #version = 0;
  #inference: (InferenceWeights & { version: number; baseGeneration: number }) | undefined;
  #disposed = false;
  /** This (full) policy's weights as a base for adapters attached with `withAdapter`, built on first use. */
  #baseView: LoraBase | undefined;

  constructor(o: TfjsTransformerPolicyOptions) {
    this.#o = o;
    this.model = new TransformerModel(o.tf, o.config, o.maxContextLength);
    this.#endIds = new Set(o.generation.eosTokenIds);
    this.#engine = new GenerationEngine({
      model: this.model,
      inference: () => this.#inferenceWeights(),
      decode: (ids) => o.tokenizer.decode(ids),
      maxBatchSize: o.maxBatchSize,
      maxPositions: o.maxContextLength,
      padTokenId: this.padTokenId,
      useCache: o.useKvCache ?? true,
    });
  }

  get id(): string {
    return this.#o.id;
  }
  get version(): number {
    return this.#version;
  }
  get vocabSize(): number {
    return this.#o.config.vocabSize;
  }
  get padTokenId(): number {
    return this.#o.tokenizer.padTokenId ?? this.#o.generation.eosTokenIds[0] ?? 0;
  }
  get config(): TransformerConfig {
    return this.#o.config;
  }
  get tokenizer(): TextTokenizer {
    return this.#o.tokenizer;
  }
  /** Token ids that end a generation (EOS from config, generation config and tokenizer). */
  get eosTokenIds(): readonly number[] {
    return this.#o.generation.eosTokenIds;
  }
  /** Longest context + generation in tokens. */
  get maxContextLength(): number {
    return this.#o.maxContextLength;
  }
  get backend(): string {
    return this.#o.backend;
  }
  /** Decode steps (of them, fused native steps) and prefills run by the batching engine. */
  get generationStats(): Readonly<{ steps: number; nativeSteps: number; rowSteps: number; prefills: number }> {
    return this.#engine.stats;
  }

  /** Trainable weights: the adapter's A and B matrices for a LoRA policy, else every parameter. */
  variables(): ReadonlyMap<string, TF.Variable> {
    return this.#o.lora ? this.#o.lora.adapter.variables : this.#o.weights;
  }

  /**
   * A LoRA policy's shared base, for `warmStart.base: shared` (undefined for a full model, and for an adapter on
   * another policy's weights, which are not this policy's to replace).
   */
  sharedBase(): SharedBase | undefined {
    const l = this.#o.lora;
    const key = l?.base.key;
    if (!l || key === undefined || !l.base.replaceable) return undefined;
    const base = l.base;
    return {
      key,
      get source() {
        return base.source;
      },
      trainableCopy: async (id) => {
        this.#checkAlive();
        const tf = this.#o.tf;
        const weights = new Map<string, TF.Variable>();
        for (const [name, t] of base.weights) weights.set(name, tf.variable(t, true));
        return new TfjsTransformerPolicy({ ...this.#o, id, weights, lora: undefined });
      },
      replace: (dir) => base.replace(dir),
    };
  }

  /** The LoRA adapter and its shared base, for a LoRA policy. */
  get lora(): { readonly base: LoraBase; readonly adapter: LoraAdapter } | undefined {
    return this.#o.lora;
  }

  forward(inputIds: TF.Tensor2D, attentionMask: TF.Tensor2D): TF.Tensor3D {
    const l = this.#o.lora;
    if (!l) return this.model.forward(this.#o.weights, inputIds, attentionMask);
    const run: LoraRun = { adapter: l.adapter.variables, scaling: l.adapter.scaling, baseT: l.base.trainTransposed() };
    return this.model.forward(l.base.weights, inputIds, attentionMask, undefined, run);
  }

  snapshot(): FrozenModel {
    const tf = this.#o.tf;
    const frozen = new Map<string, TF.Tensor>();
    const l = this.#o.lora;
    if (l) {
      // Only the adapter is copied: the reference shares the frozen base with the policy (and every other adapter).
      for (const [name, v] of l.adapter.variables) frozen.set(name, tf.keep(v.clone()));
      const bare = l.reference === 'base';
      const inference = bare ? new Map<string, TF.Tensor>() : loraInferenceWeights(tf, this.#o.config, l.base.weights, frozen, l.adapter.settings);
      const model = this.model;
      return {
        forward: (inputIds, attentionMask) =>
          model.forward(l.base.weights, inputIds, attentionMask, l.base.inference(), { adapter: frozen, scaling: l.adapter.scaling, inference }),
        weights: () => frozen,
        dispose: () => {
          for (const t of [...frozen.values(), ...inference.values()]) t.dispose();
          frozen.clear();
          inference.clear();
        },
      };
    }
    for (const [name, v] of this.#o.weights) frozen.set(name, tf.keep(v.clone()));
    // A frozen model never needs gradients: it runs the inference path (fused, pre-transposed weights).
    const inference = this.model.transposeWeights(frozen);
    const model = this.model;
    return {
      forward: (inputIds, attentionMask) => model.forward(frozen, inputIds, attentionMask, inference),
      // Lets trainers save the reference without keeping a copy of their own.
      weights: () => frozen,
      dispose: () => {
        for (const t of [...frozen.values(), ...inference.values()]) t.dispose();
        frozen.clear();
        inference.clear();
      },
    };
  }

  markUpdated(): void {
    this.#version++;
    this.#dropInference();
  }

  /** Context ids for a conversation (chat template with its `tools`, exact ids of earlier assistant messages). */
  contextIds(messages: GenerateRequest['messages'], tools?: GenerateRequest['tools']): number[] {
    return renderContext(this.#o.tokenizer, messages, this.#endIds, tools);
  }

  /**
   * A supervised example as token ids: the context exactly as `generate` renders it, and the response followed by the
   * end-of-turn token generation stops at (so the model also learns to stop).
   */
  async encodeDemonstration(
    messages: GenerateRequest['messages'],
    response: string,
    options?: { readonly tools?: GenerateRequest['tools'] },
  ): Promise<{ contextIds: number[]; actionIds: number[] }> {
    this.#checkAlive();
    const end = this.eosTokenIds[0];
    const actionIds = this.#o.tokenizer.encode(response);
    return { contextIds: this.contextIds(messages, options?.tools), actionIds: end === undefined ? actionIds : [...actionIds, end] };
  }

  async generate(request: GenerateRequest): Promise<Generation> {
    this.#checkAlive();
    const generation = await this.generateFromIds({ ...request, contextIds: this.contextIds(request.messages, request.tools) });
    if (!request.tools?.length) return generation;
    // The model writes its tool calls as text; they are read back here so the runner can run them.
    const toolCalls = parseToolCallText(generation.text, this.#o.toolCallPattern ?? QWEN_TOOL_CALL_PATTERN);
    return toolCalls.length ? { ...generation, toolCalls } : generation;
  }

  /**
   * Generation from raw context ids (no chat template): what `generate` does after rendering the messages.
   * `ignoreEos` keeps generating through EOS tokens (for comparisons with reference implementations).
   */
  async generateFromIds(
    request: Omit<GenerateRequest, 'messages'> & {
      contextIds: readonly number[];
      ignoreEos?: boolean | undefined;
      /** Called with each token as it is sampled (the server streams them). */
      onToken?: ((id: number, logprob: number) => void) | undefined;
    },
  ): Promise<Generation> {
    this.#checkAlive();
    const s = request.sampling ?? {};
    const d = this.#o.sampling;
    const contextIds = [...request.contextIds];
    for (const id of contextIds) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new MappaError(`policy ${this.id}: token id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
    }
    if (contextIds.length === 0) throw new MappaError(`policy ${this.id}: the chat template rendered an empty context`);
    if (contextIds.length >= this.#o.maxContextLength) {
      throw new MappaError(`policy ${this.id}: the context has ${contextIds.length} tokens, at or over maxContextLength ${this.#o.maxContextLength}`, {
        hint: 'shorten prompts / tool outputs, limit the number of turns, or raise maxContextLength (up to the model\'s max_position_embeddings)',
      });
    }
    const version = this.#version;
    const out = await this.#engine.submit({
      contextIds,
      sampling: { greedy: s.greedy === true, temperature: s.temperature ?? d.temperature, topP: s.topP ?? d.topP, topK: s.topK ?? d.topK },
      maxNewTokens: s.maxNewTokens ?? d.maxNewTokens,
      stopTokenIds: new Set([...(request.ignoreEos ? [] : this.#endIds), ...(s.stopTokenIds ?? [])]),
      stopStrings: s.stopStrings ?? d.stopStrings,
      rng: Rng.fromSeed(request.seed),
      signal: request.signal,
      onToken: request.onToken,
    });
    const last = out.tokenIds[out.tokenIds.length - 1];
    const visible = last !== undefined && this.#endIds.has(last) ? out.tokenIds.slice(0, -1) : out.tokenIds;
    return {
      text: this.#o.tokenizer.decode(visible),
      contextIds,
      tokenIds: out.tokenIds,
      logprobs: out.logprobs,
      finishReason: out.finishReason,
      policyVersion: version,
      contextText: this.#o.tokenizer.decode(contextIds),
      info: { backend: this.#o.backend, contextTokens: contextIds.length, newTokens: out.tokenIds.length },
    };
  }

  async score(requests: readonly ScoreRequest[]): Promise<number[][]> {
    this.#checkAlive();
    const tf = this.#o.tf;
    const results: number[][] = new Array(requests.length);
    const order = requests.map((r, i) => ({ i, len: r.contextIds.length + r.continuationIds.length })).sort((a, b) => a.len - b.len);
    for (const r of requests) {
      if (r.contextIds.length === 0) throw new MappaError(`policy ${this.id}: score() needs at least one context token per request`);
      if (r.contextIds.length + r.continuationIds.length > this.#o.maxContextLength) {
        throw new MappaError(`policy ${this.id}: a scored sequence has ${r.contextIds.length + r.continuationIds.length} tokens, over maxContextLength ${this.#o.maxContextLength}`);
      }
    }
    let at = 0;
    while (at < order.length) {
      // Rows sorted by length; take as many as fit the token budget at the longest row's length.
      let end = at + 1;
      while (end < order.length && (end - at + 1) * (order[end]?.len as number) <= this.#o.scoreBatchTokens) end++;
      const group = order.slice(at, end);
      at = end;
      const t = Math.max(...group.map((g) => g.len));
      const b = group.length;
      const ids = new Int32Array(b * t).fill(this.padTokenId);
      const mask = new Float32Array(b * t);
      const gatherIdx: number[] = [];
      group.forEach((g, row) => {
        const r = requests[g.i] as ScoreRequest;
        const seq = [...r.contextIds, ...r.continuationIds];
        ids.set(seq, row * t);
        mask.fill(1, row * t, row * t + seq.length);
        for (let j = 0; j < r.continuationIds.length; j++) {
          const pos = r.contextIds.length + j - 1;
          gatherIdx.push((row * t + pos) * this.vocabSize + (r.continuationIds[j] as number));
        }
      });
      if (gatherIdx.length === 0) {
        for (const g of group) results[g.i] = [];
        continue;
      }
      const w = this.#inferenceWeights();
      const lp = tf.tidy(() => {
        const inputIds = tf.tensor2d(ids, [b, t], 'int32');
        const am = tf.tensor2d(mask, [b, t]);
        const logits = this.model.forward(w.weights, inputIds, am, w.transposed, w.lora ? { adapter: new Map(), scaling: 0, inference: w.lora } : undefined);
        const flat = tf.reshape(tf.logSoftmax(logits), [-1]);
        return tf.gather(flat, tf.tensor1d(gatherIdx, 'int32'));
      });
      const values = (await lp.data()) as Float32Array;
      lp.dispose();
      let k = 0;
      for (const g of group) {
        const n = (requests[g.i] as ScoreRequest).continuationIds.length;
        results[g.i] = Array.from(values.subarray(k, k + n));
        k += n;
      }
    }
    return results;
  }

  /**
   * Writes the Hugging Face layout; `exact` forces float32 (checkpoints), else the configured export dtype. A LoRA
   * policy writes its adapter in PEFT's layout instead (adapter_config.json, adapter_model.safetensors, float32).
   */
  async save(dir: string, options: { readonly exact?: boolean } = {}): Promise<void> {
    this.#checkAlive();
    await mkdir(dir, { recursive: true });
    const l = this.#o.lora;
    if (l) {
      const tensors = [];
      for (const [name, v] of l.adapter.variables) tensors.push({ name, shape: v.shape, data: (await v.data()) as Float32Array });
      await writePeftAdapter(dir, l.adapter.settings, tensors, l.base.source);
      // A replaced (warm-started) base is not rebuilt from the pipeline: load() puts it back from this directory.
      const state = l.base.generation > 0 ? { policyVersion: this.#version, base: l.base.source } : { policyVersion: this.#version };
      await writeFile(join(dir, STATE_FILE), JSON.stringify(state) + '\n');
      return;
    }
    const tensors = [];
    for (const [name, v] of this.#o.weights) {
      const data = (await v.data()) as Float32Array;
      const bad = firstNonFinite(data);
      if (bad >= 0) {
        throw new MappaError(`policy ${this.id}: weight '${name}' is non-finite (${data[bad]} at index ${bad}); not saving it`, {
          hint: 'training diverged: lower the learning rate (or tighten gradient clipping) and resume from an earlier checkpoint',
        });
      }
      tensors.push({ name, shape: v.shape, data });
    }
    await writeCheckpoint(dir, {
      config: this.#o.config,
      rawConfig: this.#o.rawConfig,
      rawGenerationConfig: this.#o.rawGenerationConfig,
      generation: this.#o.generation,
      tokenizer: this.#o.tokenizer.files,
      dtype: options.exact ? 'float32' : this.#o.saveDtype,
      tensors,
    });
    await writeFile(join(dir, STATE_FILE), JSON.stringify({ policyVersion: this.#version }) + '\n');
  }

  async load(dir: string): Promise<void> {
    this.#checkAlive();
    const l = this.#o.lora;
    if (l || isPeftAdapterDir(dir)) {
      if (!l) {
        throw new MappaError(`${dir} holds a LoRA adapter, but policy ${this.id} is a full model`, {
          hint: 'give the policy a `lora:` section to train adapters, or attach the adapter with withAdapter() / --adapter',
        });
      }
    }
    let version = this.#version + 1;
    const stateFile = join(dir, STATE_FILE);
    let state: { policyVersion?: unknown; base?: unknown } | undefined;
    if (existsSync(stateFile)) {
      try {
        state = JSON.parse(await readFile(stateFile, 'utf8')) as { policyVersion?: unknown; base?: unknown };
      } catch (err) {
        throw new MappaError(`${stateFile} is not valid JSON: ${(err as Error).message}`, { hint: 'the checkpoint is damaged; use an earlier one' });
      }
    }
    if (l) {
      if (state?.base !== undefined && state.base !== l.base.source) await this.#restoreBase(stateFile, state.base);
      await this.#loadAdapter(dir, l.adapter);
    } else await this.#loadFull(dir);
    if (state) {
      if (!Number.isSafeInteger(state.policyVersion) || (state.policyVersion as number) < 0) {
        throw new MappaError(`${stateFile}: policyVersion must be a non-negative integer (got ${JSON.stringify(state.policyVersion)})`, {
          hint: 'the checkpoint is damaged; use an earlier one',
        });
      }
      version = state.policyVersion as number;
    }
    // A plain Hugging Face checkpoint has no mappa state: the load counts as an update.
    this.#version = version;
    this.#dropInference();
  }

  /** Puts back the warm-started base an adapter was saved on (a resume rebuilds the base from the pipeline). */
  async #restoreBase(stateFile: string, base: unknown): Promise<void> {
    const l = this.#o.lora as NonNullable<TfjsTransformerPolicyOptions['lora']>;
    if (typeof base !== 'string' || !existsSync(join(base, 'config.json'))) {
      throw new MappaError(`${stateFile}: "base" ${JSON.stringify(base)} is not a checkpoint directory (no config.json)`, {
        hint: 'the adapter was trained on a warm-started base saved there (run.cacheDir/warm-start/… or the run directory); restore that directory, or start a new run',
      });
    }
    if (!l.base.replaceable) throw new MappaError(`${stateFile}: the adapter needs base ${base}, but policy ${this.id} runs on another policy's weights`);
    await l.base.replace(base);
  }

  async #loadAdapter(dir: string, adapter: LoraAdapter): Promise<void> {
    const tf = this.#o.tf;
    const data = await readPeftAdapter(dir, this.#o.config);
    const mine = adapter.settings;
    const theirs = data.settings;
    const differs = (['r', 'alpha', 'rslora'] as const).find((k) => mine[k] !== theirs[k]) ?? (mine.targets.join() !== theirs.targets.join() ? 'targets' : undefined);
    if (differs) {
      const key = { r: 'r', alpha: 'lora_alpha', rslora: 'use_rslora', targets: 'target_modules' }[differs];
      throw new MappaError(`${join(dir, 'adapter_config.json')}: "${key}" is ${JSON.stringify(differs === 'targets' ? theirs.targets : theirs[differs])} but policy ${this.id} has ${JSON.stringify(differs === 'targets' ? mine.targets : mine[differs])}`, {
        hint: 'load() replaces an adapter of the same shape; set the policy\'s lora section to match, or start from it with lora.adapter',
      });
    }
    for (const [name, t] of data.tensors) {
      const v = adapter.variables.get(name) as TF.Variable;
      tf.tidy(() => v.assign(tf.tensor(t.data, [...t.shape], 'float32')));
    }
  }

  async #loadFull(dir: string): Promise<void> {
    const info = await readCheckpointInfo(dir);
    const mine = this.#o.config;
    const theirs = info.config;
    for (const key of ['modelType', 'vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'intermediateSize', 'tieWordEmbeddings'] as const) {
      if (mine[key] !== theirs[key]) {
        throw new MappaError(`${join(dir, 'config.json')}: ${key} is ${String(theirs[key])} but policy ${this.id} has ${String(mine[key])}`, {
          hint: 'load() replaces weights of the same architecture; create a new policy from this checkpoint instead',
        });
      }
    }
    const tf = this.#o.tf;
    await streamWeights(dir, theirs, (t) => {
      const v = this.#o.weights.get(t.name) as TF.Variable;
      tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, [...t.shape], 'float32')));
    });
  }

  /**
   * A new policy that runs a LoRA adapter on this policy's weights, sharing them (no copy): a PEFT adapter directory
   * (checked against this base) or an adapter object (owned by the new policy). On a LoRA policy the adapter goes on
   * the same frozen base. Disposing the new policy unloads the adapter; this policy must outlive it, and its weights
   * must not be trained while adapters are attached (the shared inference weights are rebuilt if they are).
   */
  async withAdapter(source: AdapterSource, options: { readonly id?: string; readonly reference?: 'initial' | 'base' } = {}): Promise<TfjsTransformerPolicy> {
    this.#checkAlive();
    const tf = this.#o.tf;
    const adapter =
      typeof source === 'string' ? await readPeftAdapter(source, this.#o.config).then((d) => LoraAdapter.fromTensors(tf, d.settings, d.tensors)) : source;
    let base: LoraBase;
    if (this.#o.lora) base = this.#o.lora.base.acquire();
    else {
      if (!this.#baseView) {
        // Held by the attached adapters only: unloading the last one frees the derived tensors.
        this.#baseView = new LoraBase(new TransformerModel(tf, this.#o.config, this.#o.maxContextLength), this.#o.weights, this.#o.sourcePath ?? this.id, false, () => this.#version);
        this.#baseView.onDisposed = () => (this.#baseView = undefined);
      }
      base = this.#baseView.acquire();
    }
    const id = options.id ?? (typeof source === 'string' ? source : `${this.id}+adapter`);
    return new TfjsTransformerPolicy({ ...this.#o, id, weights: new Map(), lora: { base, adapter, reference: options.reference } });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#engine.dispose();
    this.#dropInference();
    if (this.#o.lora) {
      this.#o.lora.adapter.dispose();
      this.#o.lora.base.release();
    } else for (const v of this.#o.weights.values()) v.dispose();
    this.model.dispose();
  }

  #checkAlive(): void {
    if (this.#disposed) throw new MappaError(`policy ${this.id} was disposed`);
  }

  #inferenceWeights(): InferenceWeights {
    const baseGeneration = this.#o.lora?.base.generation ?? 0;
    if (this.#inference && this.#inference.version === this.#version && this.#inference.baseGeneration === baseGeneration) return this.#inference;
    this.#dropInference();
    const l = this.#o.lora;
    this.#inference = l
      ? {
          weights: l.base.weights,
          transposed: l.base.inference(),
          lora: loraInferenceWeights(this.#o.tf, this.#o.config, l.base.weights, l.adapter.variables, l.adapter.settings),
          version: this.#version,
          baseGeneration,
        }
      : { weights: this.#o.weights, transposed: this.model.transposeWeights(this.#o.weights), version: this.#version, baseGeneration };
    return this.#inference;
  }

  #dropInference(): void {
    // A LoRA policy's transposed weights belong to the shared base; only the adapter's tensors are its own.
    const own: Iterable<TF.Tensor> = this.#o.lora ? (this.#inference?.lora?.values() ?? []) : (this.#inference?.transposed.values() ?? []);
    for (const t of own) t.dispose();
    this.#inference = undefined;
  }
}
