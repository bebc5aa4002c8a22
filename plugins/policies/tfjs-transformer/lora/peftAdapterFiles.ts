import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { MappaError } from '../../../../core/util/MappaError.js';
import { SafetensorsReader, encodeSafetensors } from '../safetensors.js';
import { parseHfConfig } from '../TransformerConfig.js';
import type { TransformerConfig } from '../TransformerConfig.js';
import { LORA_TARGETS, loraParameters, modulePrefix } from './LoraSettings.js';
import type { LoraSettings, LoraTarget } from './LoraSettings.js';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
/** PeftModel → LoraModel → *ForCausalLM: the prefix PEFT writes in front of every tensor key. */
export const PEFT_PREFIX = 'base_model.model.';

export interface PeftAdapterData {
  readonly settings: LoraSettings;
  readonly baseModelNameOrPath: string | null;
  /** Adapter tensors by name without the PEFT prefix (`model.layers.0.self_attn.q_proj.lora_A.weight`), float32. */
  readonly tensors: Map<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;
}

/** True when `dir` holds a PEFT adapter (adapter_config.json). */
export function isPeftAdapterDir(dir: string): boolean {
  return existsSync(join(dir, ADAPTER_CONFIG));
}

const ARCH_KEYS: ReadonlyArray<[keyof TransformerConfig, string]> = [
  ['modelType', 'model_type'],
  ['vocabSize', 'vocab_size'],
  ['hiddenSize', 'hidden_size'],
  ['numLayers', 'num_hidden_layers'],
  ['numHeads', 'num_attention_heads'],
  ['numKvHeads', 'num_key_value_heads'],
  ['headDim', 'head_dim'],
  ['intermediateSize', 'intermediate_size'],
  ['tieWordEmbeddings', 'tie_word_embeddings'],
];

/**
 * Reads a PEFT LoRA adapter directory for a base of `config`, checking everything this decoder cannot run exactly:
 * features other than plain LoRA (DoRA, `modules_to_save`, biases, rank/alpha patterns, layer subsets, Conv1D
 * layout), unknown target modules, tensors that do not fit the base, and a local `base_model_name_or_path` whose
 * config.json describes another architecture. Every error names the file and the key.
 */
export async function readPeftAdapter(dir: string, config: TransformerConfig): Promise<PeftAdapterData> {
  const cfgFile = join(dir, ADAPTER_CONFIG);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(cfgFile, 'utf8')) as Record<string, unknown>;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not a JSON object');
  } catch (err) {
    throw new MappaError(`${cfgFile}: cannot read the adapter config (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      hint: 'a PEFT LoRA adapter directory holds adapter_config.json and adapter_model.safetensors',
      cause: err,
    });
  }
  const bad = (key: string, problem: string, hint?: string) => new MappaError(`${cfgFile}: "${key}" ${problem}`, hint ? { hint } : undefined);
  if (raw['peft_type'] !== 'LORA') throw bad('peft_type', `is ${JSON.stringify(raw['peft_type'])}; only "LORA" adapters are supported`);
  if (raw['task_type'] !== undefined && raw['task_type'] !== null && raw['task_type'] !== 'CAUSAL_LM') {
    throw bad('task_type', `is ${JSON.stringify(raw['task_type'])}; a decoder policy needs "CAUSAL_LM"`);
  }
  if (raw['use_dora'] === true) throw bad('use_dora', 'is true: DoRA adapters are not supported (vLLM rejects them too)', 'train a plain LoRA adapter (use_dora: false)');
  const mts = raw['modules_to_save'];
  if (mts !== undefined && mts !== null && !(Array.isArray(mts) && mts.length === 0)) {
    throw bad('modules_to_save', `is ${JSON.stringify(mts)}: fully trained extra modules are not supported (vLLM rejects them too)`, 'save the adapter without modules_to_save');
  }
  if (raw['bias'] !== undefined && raw['bias'] !== 'none') throw bad('bias', `is ${JSON.stringify(raw['bias'])}; only "none" is supported (base biases stay untouched)`);
  if (raw['lora_bias'] === true) throw bad('lora_bias', 'is true; LoRA biases are not supported');
  if (raw['fan_in_fan_out'] === true) throw bad('fan_in_fan_out', 'is true (Conv1D layout); Llama/Qwen adapters use nn.Linear layout (false)');
  for (const key of ['rank_pattern', 'alpha_pattern']) {
    const v = raw[key];
    if (v !== undefined && v !== null && !(typeof v === 'object' && Object.keys(v as object).length === 0)) throw bad(key, 'is not empty; per-module ranks/alphas are not supported');
  }
  if (raw['layers_to_transform'] !== undefined && raw['layers_to_transform'] !== null) throw bad('layers_to_transform', 'is set; adapters on a subset of layers are not supported');
  const r = raw['r'];
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) throw bad('r', `is ${JSON.stringify(r)}; expected a positive integer`);
  const alpha = raw['lora_alpha'] ?? 8;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw bad('lora_alpha', `is ${JSON.stringify(alpha)}; expected a number`);
  const dropout = raw['lora_dropout'] ?? 0;
  if (typeof dropout !== 'number' || dropout < 0 || dropout >= 1) throw bad('lora_dropout', `is ${JSON.stringify(dropout)}; expected a number in [0, 1)`);
  const targets = parseTargets(raw['target_modules'], config, (problem, hint) => bad('target_modules', problem, hint));
  const settings: LoraSettings = { r, alpha, targets, dropout, rslora: raw['use_rslora'] === true };
  const baseName = typeof raw['base_model_name_or_path'] === 'string' ? (raw['base_model_name_or_path'] as string) : null;
  if (baseName) await checkBaseArchitecture(dir, baseName, config);

  const file = join(dir, ADAPTER_WEIGHTS);
  if (!existsSync(file)) {
    const legacy = existsSync(join(dir, 'adapter_model.bin'));
    throw new MappaError(`${file}: not found${legacy ? ' (the directory has the legacy adapter_model.bin)' : ''}`, {
      hint: legacy ? 're-save the adapter with safe_serialization=True (PEFT\'s default)' : 'a PEFT LoRA adapter directory holds adapter_config.json and adapter_model.safetensors',
    });
  }
  const expected = loraParameters(config, settings);
  const reader = await SafetensorsReader.open(file);
  const tensors: PeftAdapterData['tensors'] = new Map();
  try {
    for (const key of reader.entries.keys()) {
      if (!key.startsWith(PEFT_PREFIX)) throw new MappaError(`${file}: tensor '${key}' does not start with '${PEFT_PREFIX}'`, { hint: 'PEFT saves keys as base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight' });
      const name = stripAdapterName(key.slice(PEFT_PREFIX.length));
      if (!expected.has(name)) {
        const known = /\.lora_[AB]\.weight$/.test(name) || /lora_embedding_[AB]$/.test(name);
        throw new MappaError(`${file}: tensor '${key}' is ${known ? 'an adapter for a module not listed in target_modules or not a supported target' : 'not a LoRA A/B matrix of a supported module'}`, {
          hint: `supported targets: ${LORA_TARGETS.join(', ')} (target_modules: ${targets.join(', ')}, ${config.numLayers} layers); embeddings and lm_head cannot carry adapters`,
        });
      }
    }
    for (const [name, shape] of expected) {
      const key = PEFT_PREFIX + name;
      const entry = reader.entries.get(key) ?? reader.entries.get(PEFT_PREFIX + name.replace(/\.weight$/, '.default.weight'));
      if (!entry) throw new MappaError(`${file}: missing tensor '${key}' (target_modules lists ${name.split('.').at(-3)})`, { hint: 'the adapter weights and adapter_config.json do not match' });
      if (entry.shape.length !== 2 || entry.shape[0] !== shape[0] || entry.shape[1] !== shape[1]) {
        throw new MappaError(`${file}: tensor '${key}' has shape [${entry.shape.join(', ')}] but r = ${r} and the base's layer imply [${shape.join(', ')}]`, {
          hint: `the adapter was trained for another base, or "r" in ${ADAPTER_CONFIG} is wrong`,
        });
      }
      if (entry.dtype === 'I32' || entry.dtype === 'I64') throw new MappaError(`${file}: tensor '${key}' has integer dtype ${entry.dtype}`);
      const t = await reader.read(entry.name);
      tensors.set(name, { shape, data: t.data as Float32Array });
    }
  } finally {
    await reader.close();
  }
  return { settings, baseModelNameOrPath: baseName, tensors };
}

/** PEFT strips the adapter name on save; tolerate files that kept `.default`. */
function stripAdapterName(name: string): string {
  return name.replace(/\.lora_([AB])\.default\.weight$/, '.lora_$1.weight');
}

function parseTargets(v: unknown, config: TransformerConfig, bad: (problem: string, hint?: string) => MappaError): LoraTarget[] {
  const hint = `supported: ${LORA_TARGETS.join(', ')}`;
  if (typeof v === 'string') {
    // PEFT: a string is a regex matched (fully) against module names; "all-linear" means every linear but the head.
    if (v === 'all-linear') return [...LORA_TARGETS];
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${v})$`);
    } catch {
      throw bad(`is not a valid regular expression: ${JSON.stringify(v)}`);
    }
    const found = LORA_TARGETS.filter((t) => [...Array(config.numLayers).keys()].some((l) => re.test(modulePrefix(l, t))));
    const partial = found.filter((t) => ![...Array(config.numLayers).keys()].every((l) => re.test(modulePrefix(l, t))));
    if (partial.length > 0) throw bad(`matches ${partial.join(', ')} in only some layers; adapters on a subset of layers are not supported`);
    if (found.length === 0) throw bad(`(regex ${JSON.stringify(v)}) matches no supported module`, hint);
    return found;
  }
  if (!Array.isArray(v) || v.length === 0) throw bad(`is ${JSON.stringify(v)}; expected a non-empty list of module names`, hint);
  const out = new Set<LoraTarget>();
  for (const m of v) {
    const name = typeof m === 'string' ? m.split('.').at(-1) : undefined;
    if (name === undefined || !(LORA_TARGETS as readonly string[]).includes(name)) throw bad(`lists unknown module ${JSON.stringify(m)}`, hint);
    out.add(name as LoraTarget);
  }
  return LORA_TARGETS.filter((t) => out.has(t));
}

async function checkBaseArchitecture(dir: string, baseName: string, config: TransformerConfig): Promise<void> {
  const baseDir = isAbsolute(baseName) ? baseName : resolve(dir, baseName);
  const cfgFile = join(baseDir, 'config.json');
  // A hub id (or a path that is not on this machine) cannot be checked; the tensor shapes still are.
  if (!existsSync(cfgFile)) return;
  const theirs = parseHfConfig(JSON.parse(await readFile(cfgFile, 'utf8')) as Record<string, unknown>, cfgFile);
  for (const [key, hfKey] of ARCH_KEYS) {
    if (theirs[key] !== config[key]) {
      throw new MappaError(
        `${join(dir, ADAPTER_CONFIG)}: "base_model_name_or_path" is ${baseName}, whose ${cfgFile} has ${hfKey} ${String(theirs[key])}, but the base it is loaded on has ${String(config[key])}`,
        { hint: 'load the adapter on the base it was trained for' },
      );
    }
  }
}

/** Writes `adapter_config.json` (PEFT's keys) and `adapter_model.safetensors` (PEFT's tensor names, float32). */
export async function writePeftAdapter(
  dir: string,
  settings: LoraSettings,
  tensors: ReadonlyArray<{ readonly name: string; readonly shape: readonly number[]; readonly data: Float32Array }>,
  baseModelNameOrPath: string | null,
): Promise<void> {
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModelNameOrPath,
    revision: null,
    inference_mode: true,
    r: settings.r,
    lora_alpha: settings.alpha,
    lora_dropout: settings.dropout,
    target_modules: [...settings.targets],
    exclude_modules: null,
    fan_in_fan_out: false,
    bias: 'none',
    use_rslora: settings.rslora,
    use_dora: false,
    modules_to_save: null,
    init_lora_weights: true,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    lora_bias: false,
  };
  await writeFile(join(dir, ADAPTER_CONFIG), JSON.stringify(config, null, 2) + '\n');
  const parts = encodeSafetensors(
    tensors.map((t) => ({ ...t, name: PEFT_PREFIX + t.name })),
    'float32',
  );
  await writeFile(join(dir, ADAPTER_WEIGHTS), parts);
}
