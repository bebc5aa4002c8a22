import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { MappaError } from '../../../core/util/MappaError.js';

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
  })
  .refine((c) => (c.preset === undefined) !== (c.path === undefined), { message: 'give exactly one of `preset` or `path`' });
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
        seed: config.seed ?? deriveSeed(deps.run.seed, 'policy-init', deps.id),
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
