import { z } from 'zod';

// Loose objects: OpenAI clients send fields we do not use (user, metadata, …); vLLM ignores those too. Fields that
// would change the result and are not implemented are rejected explicitly in `rejectUnsupported`.

const stop = z.union([z.string(), z.array(z.string()).max(16)]).nullish();

const sampling = {
  model: z.string().min(1),
  temperature: z.number().min(0).max(100).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  /** vLLM: -1 or 0 = off. */
  top_k: z.number().int().min(-1).nullish(),
  seed: z.number().int().nullish(),
  stop,
  stop_token_ids: z.array(z.number().int().min(0)).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  n: z.number().int().min(1).max(64).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  return_token_ids: z.boolean().nullish(),
  return_tokens_as_token_ids: z.boolean().nullish(),
  ignore_eos: z.boolean().nullish(),
  skip_special_tokens: z.boolean().nullish(),
  presence_penalty: z.number().nullish(),
  frequency_penalty: z.number().nullish(),
  repetition_penalty: z.number().nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  best_of: z.number().int().nullish(),
  min_tokens: z.number().int().nullish(),
  prompt_logprobs: z.number().int().nullish(),
};

const contentPart = z.object({ type: z.string(), text: z.string().optional() });

export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(contentPart)]).nullish(),
});

export const ChatRequestSchema = z.object({
  ...sampling,
  messages: z.array(ChatMessageSchema).min(1),
  max_completion_tokens: z.number().int().min(1).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  tools: z.array(z.unknown()).nullish(),
  response_format: z.unknown().optional(),
  continue_final_message: z.boolean().nullish(),
  add_generation_prompt: z.boolean().nullish(),
});
export type ChatRequest = z.output<typeof ChatRequestSchema>;

export const CompletionRequestSchema = z.object({
  ...sampling,
  prompt: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number()).min(1), z.array(z.array(z.number()).min(1)).min(1)]),
  /** Completions API: number of top alternatives; 0 = the sampled token only. */
  logprobs: z.number().int().min(0).max(20).nullish(),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
});
export type CompletionRequest = z.output<typeof CompletionRequestSchema>;

export const LoadAdapterSchema = z.object({
  lora_name: z.string().min(1),
  lora_path: z.string().min(1),
  load_inplace: z.boolean().nullish(),
  /** mappa extension: the version to serve this load as (so versions survive a server restart). */
  version: z.number().int().min(0).nullish(),
});

export const UnloadAdapterSchema = z.object({
  lora_name: z.string().min(1),
  lora_int_id: z.number().int().nullish(),
});
