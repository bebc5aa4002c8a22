import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firstNonFinite } from '../../../core/util/firstNonFinite.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { SafetensorsReader, encodeSafetensors } from './safetensors.js';
import type { LoadedTensor, SaveDtype, TensorToWrite } from './safetensors.js';
import { TextTokenizer } from './TextTokenizer.js';
import type { TokenizerFiles } from './TextTokenizer.js';
import { expectedParameters, parseHfConfig, toHfConfig } from './TransformerConfig.js';
import type { TransformerConfig } from './TransformerConfig.js';

/** Sampling defaults and stop ids from `generation_config.json`. */
export interface GenerationDefaults {
  readonly eosTokenIds: readonly number[];
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly topK?: number | undefined;
}

export interface CheckpointInfo {
  readonly dir: string;
  readonly config: TransformerConfig;
  /** `config.json` as read, so saving keeps fields this code does not interpret. */
  readonly rawConfig: Record<string, unknown>;
  readonly generation: GenerationDefaults;
  readonly rawGenerationConfig: Record<string, unknown> | undefined;
  readonly tokenizer: TextTokenizer;
  /** Stored dtype of the weights (`float32`, `bfloat16`, `float16`). */
  readonly dtype: SaveDtype;
}

async function readJson(file: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MappaError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      hint: 'a Hugging Face checkpoint directory needs config.json, model.safetensors (or its index and shards) and tokenizer.json',
      cause: err,
    });
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new MappaError(`${file}: invalid JSON (${(err as Error).message})`, { cause: err });
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function idList(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number');
  return [];
}

/** Reads the tokenizer files of a checkpoint directory; `chatTemplateFile` overrides the template. */
export async function readTokenizerFiles(dir: string, chatTemplateFile?: string): Promise<TokenizerFiles> {
  const tokenizerJson = (await readJson(join(dir, 'tokenizer.json'), true)) as Record<string, unknown>;
  const tokenizerConfig = (await readJson(join(dir, 'tokenizer_config.json'), false)) ?? {};
  let chatTemplate = chatTemplateFile ? await readText(chatTemplateFile) : undefined;
  if (chatTemplateFile && chatTemplate === undefined) throw new MappaError(`${chatTemplateFile}: chat template file not found`);
  chatTemplate ??= await readText(join(dir, 'chat_template.jinja'));
  if (chatTemplate === undefined) {
    const t = tokenizerConfig['chat_template'];
    if (typeof t === 'string') chatTemplate = t;
    else if (Array.isArray(t)) {
      const named = t as Array<{ name?: string; template?: string }>;
      chatTemplate = (named.find((x) => x.name === 'default') ?? named[0])?.template;
    }
  }
  if (chatTemplate === undefined) {
    throw new MappaError(`${dir}: no chat template (chat_template.jinja or tokenizer_config.json "chat_template")`, {
      hint: 'add chat_template.jinja to the checkpoint, or set chatTemplate: <file> in the policy config',
    });
  }
  return { tokenizerJson, tokenizerConfig, chatTemplate };
}

/** Reads config, generation config and tokenizer of a Hugging Face checkpoint, and checks they fit together. */
export async function readCheckpointInfo(dir: string, opts: { chatTemplateFile?: string | undefined } = {}): Promise<CheckpointInfo> {
  const configFile = join(dir, 'config.json');
  const rawConfig = (await readJson(configFile, true)) as Record<string, unknown>;
  const config = parseHfConfig(rawConfig, configFile);
  const rawGen = await readJson(join(dir, 'generation_config.json'), false);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const tokenizer = new TextTokenizer(await readTokenizerFiles(dir, opts.chatTemplateFile), dir);
  if (tokenizer.size > config.vocabSize) {
    throw new MappaError(
      `${join(dir, 'tokenizer.json')}: the tokenizer has ${tokenizer.size} tokens but the model's embedding has vocab_size ${config.vocabSize} (${configFile})`,
      { hint: 'the tokenizer does not belong to this model; use the tokenizer files saved with the checkpoint' },
    );
  }
  const eos = new Set<number>([...config.eosTokenIds, ...idList(rawGen?.['eos_token_id'])]);
  if (tokenizer.eosTokenId !== undefined) eos.add(tokenizer.eosTokenId);
  const dtypeName = String(rawConfig['dtype'] ?? rawConfig['torch_dtype'] ?? 'float32');
  const dtype: SaveDtype = dtypeName === 'bfloat16' || dtypeName === 'float16' ? dtypeName : 'float32';
  return {
    dir,
    config,
    rawConfig,
    generation: { eosTokenIds: [...eos], temperature: num(rawGen?.['temperature']), topP: num(rawGen?.['top_p']), topK: num(rawGen?.['top_k']) },
    rawGenerationConfig: rawGen,
    tokenizer,
    dtype,
  };
}

/** Which file holds each tensor: the shards of `model.safetensors.index.json`, or `model.safetensors`. */
async function weightFiles(dir: string): Promise<{ files: string[]; index?: Map<string, string> }> {
  const indexFile = join(dir, 'model.safetensors.index.json');
  const index = await readJson(indexFile, false);
  if (!index) return { files: [join(dir, 'model.safetensors')] };
  const map = index['weight_map'];
  if (!map || typeof map !== 'object') throw new MappaError(`${indexFile}: no "weight_map" object`, { hint: 'the index is corrupt; re-download the checkpoint' });
  for (const f of new Set(Object.values(map as Record<string, unknown>))) {
    // Shards live next to the index: a path would let a checkpoint make us read any file on the host.
    if (typeof f !== 'string' || f === '' || f === '.' || f === '..' || f.includes('/') || f.includes('\\')) {
      throw new MappaError(`${indexFile}: shard ${JSON.stringify(f)} is not a file name in the checkpoint directory (it points outside)`, {
        hint: 'weight_map values must be shard file names such as model-00001-of-00002.safetensors',
      });
    }
  }
  const byName = new Map<string, string>(Object.entries(map as Record<string, string>).map(([k, f]) => [k, join(dir, f)]));
  return { files: [...new Set(byName.values())], index: byName };
}

// Buffers some checkpoints carry that are not parameters.
const IGNORED = /(^|\.)rotary_emb\.inv_freq$|(^|\.)masked_bias$|(^|\.)attn\.bias$/;

/**
 * Streams the weights of a checkpoint tensor by tensor, in `expectedParameters` order, converted to float32. Missing,
 * misnamed, unexpected and wrongly shaped tensors are MappaErrors naming the file.
 */
export async function streamWeights(dir: string, config: TransformerConfig, onTensor: (t: LoadedTensor) => void): Promise<void> {
  const expected = expectedParameters(config);
  const { files, index } = await weightFiles(dir);
  const readers = new Map<string, SafetensorsReader>();
  try {
    for (const f of files) readers.set(f, await SafetensorsReader.open(f));
    const where = new Map<string, SafetensorsReader>();
    for (const r of readers.values()) for (const name of r.entries.keys()) where.set(name, r);
    if (index) {
      for (const [name, f] of index) {
        if (!readers.get(f)?.entries.has(name)) throw new MappaError(`${f}: tensor '${name}' is listed in model.safetensors.index.json but not stored in the shard`, { hint: 'the shard is incomplete; re-download the checkpoint' });
      }
    }
    const unexpected = [...where.keys()].filter((n) => !expected.has(n) && !IGNORED.test(n) && !(config.tieWordEmbeddings && n === 'lm_head.weight'));
    const missing = [...expected.keys()].filter((n) => !where.has(n));
    const fileLabel = index ? `${dir} (sharded)` : (files[0] as string);
    if (missing.length > 0) {
      throw new MappaError(
        `${fileLabel}: missing tensor${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).map((n) => `'${n}'`).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}` +
          (unexpected.length > 0 ? `; found unexpected ${unexpected.slice(0, 5).map((n) => `'${n}'`).join(', ')} (misnamed?)` : ''),
        { hint: `expected Hugging Face parameter names for model_type ${config.modelType}, e.g. 'model.layers.0.self_attn.q_proj.weight'` },
      );
    }
    if (unexpected.length > 0) {
      throw new MappaError(`${fileLabel}: unexpected tensor${unexpected.length > 1 ? 's' : ''} ${unexpected.slice(0, 5).map((n) => `'${n}'`).join(', ')} not used by a ${config.modelType} model with this config.json`, {
        hint: 'the weights and config.json do not match (misnamed tensors, or options such as attention_bias / tie_word_embeddings differ)',
      });
    }
    for (const [name, shape] of expected) {
      const reader = where.get(name) as SafetensorsReader;
      const entry = reader.entries.get(name);
      if (!entry || entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
        throw new MappaError(`${reader.file}: tensor '${name}' has shape [${entry?.shape.join(', ')}] but config.json implies [${shape.join(', ')}]`, {
          hint: 'the weights do not belong to this config.json (check hidden_size, heads, head_dim, intermediate_size, vocab_size)',
        });
      }
      if (entry.dtype === 'I32' || entry.dtype === 'I64') throw new MappaError(`${reader.file}: tensor '${name}' has integer dtype ${entry.dtype}; weights must be floating point`);
      const tensor = await reader.read(name);
      const bad = firstNonFinite(tensor.data as ArrayLike<number>);
      if (bad >= 0) {
        throw new MappaError(`${reader.file}: tensor '${name}' holds non-finite values (${String((tensor.data as ArrayLike<number>)[bad])} at index ${bad})`, {
          hint: 'the weights are corrupt or training diverged; use an earlier checkpoint',
        });
      }
      onTensor(tensor);
    }
  } finally {
    for (const r of readers.values()) await r.close();
  }
}

export interface CheckpointToWrite {
  readonly config: TransformerConfig;
  readonly rawConfig?: Record<string, unknown> | undefined;
  readonly rawGenerationConfig?: Record<string, unknown> | undefined;
  readonly generation: GenerationDefaults;
  readonly tokenizer: TokenizerFiles;
  readonly dtype: SaveDtype;
  /** Parameters by Hugging Face name, float32. */
  readonly tensors: readonly TensorToWrite[];
}

/** Writes a checkpoint in the Hugging Face layout (config, generation config, safetensors, tokenizer files). */
export async function writeCheckpoint(dir: string, c: CheckpointToWrite): Promise<void> {
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  await writeFile(join(dir, 'config.json'), json(toHfConfig(c.config, c.dtype, c.rawConfig)));
  const gen: Record<string, unknown> = { ...(c.rawGenerationConfig ?? {}) };
  if (c.generation.eosTokenIds.length > 0) gen['eos_token_id'] = c.generation.eosTokenIds.length === 1 ? c.generation.eosTokenIds[0] : [...c.generation.eosTokenIds];
  if (c.generation.temperature !== undefined) gen['temperature'] = c.generation.temperature;
  if (c.generation.topP !== undefined) gen['top_p'] = c.generation.topP;
  if (c.generation.topK !== undefined) gen['top_k'] = c.generation.topK;
  await writeFile(join(dir, 'generation_config.json'), json(gen));
  await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(c.tensors, c.dtype));
  await writeFile(join(dir, 'tokenizer.json'), json(c.tokenizer.tokenizerJson));
  await writeFile(join(dir, 'tokenizer_config.json'), json({ ...c.tokenizer.tokenizerConfig, chat_template: c.tokenizer.chatTemplate }));
  await writeFile(join(dir, 'chat_template.jinja'), c.tokenizer.chatTemplate);
}
