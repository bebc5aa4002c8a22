import { resolve } from 'node:path';
import { z } from 'zod';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { readApiKey } from '../../../core/util/readApiKey.js';
import { rateLimitFields, retryConfig } from '../../llm/llmCallConfig.js';
import { POLICY_RETRY_DEFAULTS } from './policyRetryDefaults.js';

const PolicyRetryConfig = retryConfig(POLICY_RETRY_DEFAULTS);

export const OpenAICompatiblePolicyConfig = z.strictObject({
  baseURL: z.string().url().default('https://api.openai.com/v1').describe('Server URL ending in /v1 (vLLM: http://127.0.0.1:8000/v1, Ollama: http://127.0.0.1:11434/v1)'),
  model: z.string().min(1).describe('Model name as the server knows it'),
  apiKeyEnv: z.string().default('OPENAI_API_KEY').describe('Environment variable holding the API key (not needed for loopback servers)'),
  temperature: z.number().min(0).optional(),
  topP: z.number().gt(0).max(1).optional(),
  maxTokens: z.number().int().min(1).optional(),
  logprobs: z.boolean().default(true).describe('Ask for per-token log-probs'),
  returnTokenIds: z.boolean().default(false).describe("Ask vLLM for token ids (vLLM's return_token_ids)"),
  sendSeed: z.boolean().default(true),
  toolRole: z.enum(['user', 'tool']).default('user').describe('Role of code-block tool responses (function tool results are always `tool` messages with their call id)'),
  stream: z.boolean().default(false).describe('Stream completions (content, tool-call arguments and log-probs assembled from the deltas)'),
  toolChoice: z.enum(['auto', 'required', 'none']).optional().describe('OpenAI tool_choice for agents with function tools'),
  parallelToolCalls: z.boolean().optional().describe('OpenAI parallel_tool_calls for agents with function tools'),
  timeoutMs: z.number().int().min(1).default(120_000).describe('Time limit of one attempt, the whole (streamed) response included'),
  retry: PolicyRetryConfig.default(PolicyRetryConfig.parse({})).describe('Backoff of requests retried on 429, 5xx, timeouts and network errors'),
  maxRetries: z.number().int().min(0).optional().describe('Overrides retry.retries (older name of that setting)'),
  concurrency: z.number().int().min(1).optional().describe('Requests in flight to this endpoint and model (default: unlimited; shared with coaches on the same endpoint and model)'),
  ...rateLimitFields,
  extraBody: z.record(z.string(), z.unknown()).optional().describe('Extra JSON fields sent with every request'),
  headers: z.record(z.string(), z.string()).optional(),
  weights: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Directory of the weights the server starts from (Hugging Face checkpoint or PEFT adapter), relative to the pipeline file; needed by trainer: external, which trains from it',
    ),
  reloadPath: z
    .string()
    .default('load_lora_adapter')
    .describe("Reload endpoint relative to baseURL: vLLM's load_lora_adapter ({lora_name, lora_path, load_inplace}), also spoken by `mappa serve`"),
  reloadTimeoutMs: z.number().int().min(1).default(600_000).describe('How long a weight reload may take'),
});
export type OpenAICompatiblePolicyConfig = z.output<typeof OpenAICompatiblePolicyConfig>;

export const openaiCompatiblePolicyPlugin = definePlugin({
  kind: 'policy',
  name: 'openai-compatible',
  description: 'Inference-only policy calling an OpenAI-compatible chat-completions endpoint; records log-probs and vLLM token ids when returned.',
  configSchema: OpenAICompatiblePolicyConfig,
  capabilities: {
    trainable: false,
    notTrainableReason:
      'its weights live on the remote server; use `trainer: { use: external }` (a trainer outside this process, e.g. examples/external-trainer/reinforce_pp.py) or train a local tfjs-transformer policy',
    externallyTrainable: {
      requires: [
        { field: 'returnTokenIds', equals: true, why: 'training needs the exact token ids the server generated and conditioned on (vLLM return_token_ids; `mappa serve` returns them)' },
        { field: 'weights', why: 'the directory of the weights the server starts from (the external trainer starts from it; the server must be able to reload weights: vLLM with --enable-lora, or `mappa serve`)' },
      ],
    },
  },
  create: async (config, deps) => {
    // Loaded lazily so `mappa validate` and `mappa plugins` stay fast.
    const { OpenAICompatiblePolicy } = await import('./OpenAICompatiblePolicy.js');
    return new OpenAICompatiblePolicy({
      ...config,
      ...(config.weights !== undefined ? { weights: resolve(deps.run.baseDir, config.weights) } : {}),
      id: deps.id,
      apiKey: readApiKey(config.apiKeyEnv, config.baseURL, deps.path),
      seed: deriveSeed(deps.run.seed, 'policy-retry-jitter', deps.id),
      path: deps.path,
      logger: deps.logger,
    });
  },
});
