import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { LORA_TARGETS } from './lora/LoraSettings.js';

export const TfjsTransformerPolicyConfig = z
  .strictObject({
    preset: z.enum(['tiny', 'small', 'medium']).optional().describe('Build a new model from scratch with this shape (random weights)'),
    tokenizer: z.enum(['byte', 'char']).default('byte').describe('Tokenizer of a preset model: byte-level (256 bytes) or characters (printable ASCII)'),
    seed: z.number().int().optional().describe('Seed of a preset model\'s initial weights (default: derived from the run seed and the policy name)'),
    path: z.string().min(1).optional().describe('Hugging Face checkpoint directory (config.json, model.safetensors, tokenizer.json), relative to the pipeline file'),
    chatTemplate: z.string().min(1).optional().describe('Jinja chat template file overriding the checkpoint\'s, relative to the pipeline file'),
    dtype: z.enum(['float32', 'bfloat16', 'float16']).optional().describe('Dtype of saved weights (default: the checkpoint\'s; float32 for presets)'),
    temperature: z.number().min(0).optional().describe('Default sampling temperature (else generation_config.json, else 1)'),
    topP: z.number().gt(0).max(1).optional(),
    topK: z.number().int().min(0).optional().describe('0 = off'),
    maxNewTokens: z.number().int().min(1).default(256),
    stopStrings: z.array(z.string().min(1)).default([]),
    toolCallPattern: z
      .string()
      .min(1)
      .optional()
      .describe('Regex whose first group is a tool call\'s {"name", "arguments"} JSON, for agents with function tools (default: Qwen\'s <tool_call>…</tool_call>)'),
    maxContextLength: z.number().int().min(2).optional().describe('Longest context + generation in tokens (default: max_position_embeddings; 1024 for presets)'),
    maxBatchSize: z.number().int().min(1).default(32).describe('Concurrent generate calls decoded together in one KV-cache batch'),
    scoreBatchTokens: z.number().int().min(1).default(8192).describe('Padded tokens per forward pass when scoring'),
    lora: z
      .strictObject({
        r: z.number().int().min(1).default(8).describe('Rank of the adapter'),
        alpha: z.number().gt(0).default(8).describe('Scaling numerator: ΔW = (alpha/r)·B·A (alpha/√r with rslora)'),
        targets: z.array(z.enum(LORA_TARGETS)).min(1).default([...LORA_TARGETS]).describe('Linear layers that get an adapter'),
        dropout: z.literal(0).default(0).describe('Only 0: dropout on the adapter input is not implemented for training'),
        rslora: z.boolean().default(false).describe('Rank-stabilised scaling alpha/√r'),
        reference: z.enum(['initial', 'base']).default('initial').describe('Frozen KL reference: base + the adapter when training starts, or the bare base'),
        seed: z.number().int().optional().describe('Seed of the A matrices (default: derived from the run seed and the policy name)'),
        adapter: z.string().min(1).optional().describe('Start from this PEFT adapter directory (relative to the pipeline file)'),
      })
      .optional()
      .describe('Train a LoRA adapter on frozen base weights (PEFT format) instead of the whole model'),
    base: z.string().min(1).optional().describe('With lora: policies naming the same base share one copy of its weights (default: policies with the same preset/tokenizer/seed or path share)'),
  })
  .refine((c) => (c.preset === undefined) !== (c.path === undefined), { message: 'give exactly one of `preset` or `path`' })
  .refine((c) => c.base === undefined || c.lora !== undefined, { message: '`base` only applies to LoRA policies: add a `lora:` section', path: ['base'] });
export type TfjsTransformerPolicyConfig = z.output<typeof TfjsTransformerPolicyConfig>;

export const tfjsTransformerPolicyPlugin = definePlugin({
  kind: 'policy',
  name: 'tfjs-transformer',
  description: 'Trainable Llama / Qwen2 / Qwen3 decoder in TensorFlow.js: from-scratch presets or Hugging Face checkpoints, batched KV-cache generation.',
  configSchema: TfjsTransformerPolicyConfig,
  capabilities: { trainable: true },
  create: async (config, deps) => {
    // tfjs is heavy: loaded only when a policy is actually built.
    const { createTfjsTransformerPolicy } = await import('./createTfjsTransformerPolicy.js');
    const abs = (p: string) => (isAbsolute(p) ? p : resolve(deps.run.baseDir, p));
    try {
      return await createTfjsTransformerPolicy({
        ...config,
        // Each policy starts from its own weights, and a new run seed gives new initial weights.
        // LoRA policies start from one shared base: its seed comes from the base name, not the policy.
        seed: config.seed ?? deriveSeed(deps.run.seed, 'policy-init', config.lora ? (config.base ?? 'lora-base') : deps.id),
        lora: config.lora && {
          ...config.lora,
          seed: config.lora.seed ?? deriveSeed(deps.run.seed, 'lora-init', deps.id),
          adapter: config.lora.adapter === undefined ? undefined : abs(config.lora.adapter),
        },
        id: deps.id,
        path: config.path === undefined ? undefined : abs(config.path),
        chatTemplate: config.chatTemplate === undefined ? undefined : abs(config.chatTemplate),
        logger: deps.logger,
      });
    } catch (err) {
      if (err instanceof MappaError) throw new MappaError(`${deps.path}: ${err.message}`, { ...(err.hint ? { hint: err.hint } : {}), cause: err });
      throw err;
    }
  },
});
