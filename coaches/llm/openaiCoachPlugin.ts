import { z } from 'zod';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { readApiKey } from '../../core/util/readApiKey.js';
import { llmCoachEnv, type LlmCoachEnv } from './llmCoachEnv.js';
import type { LlmCoach } from './LlmCoach.js';
import { llmCoachRuntimeFields } from './llmCoachConfig.js';

export const OpenAICoachConfig = z.strictObject({
  ...llmCoachRuntimeFields,
  baseURL: z
    .string()
    .url()
    .default('https://api.openai.com/v1')
    .describe('OpenAI-compatible server ending in /v1 (vLLM, Ollama, OpenRouter, Gemini: .../v1beta/openai)'),
  apiKeyEnv: z.string().default('OPENAI_API_KEY').describe('Environment variable holding the API key (not needed for loopback servers)'),
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens').describe('OpenAI reasoning models need max_completion_tokens'),
  extraBody: z.record(z.string(), z.unknown()).optional().describe('Extra JSON fields sent with every request'),
});
export type OpenAICoachConfig = z.output<typeof OpenAICoachConfig>;

/** An LLM coach on any OpenAI-compatible chat-completions endpoint (plain factory, no DI needed). */
export async function createOpenAICoach(options: z.input<typeof OpenAICoachConfig>, env: LlmCoachEnv = {}): Promise<LlmCoach> {
  const config = OpenAICoachConfig.parse(options);
  const path = env.path ?? 'coach';
  const apiKey = readApiKey(config.apiKeyEnv, config.baseURL, path);
  // The SDK is loaded only when a coach is built, so `mappa validate` stays fast.
  const [{ OpenAIBackend }, { createLlmCoach }] = await Promise.all([import('../../plugins/llm/providers/OpenAIBackend.js'), import('./createLlmCoach.js')]);
  const backend = new OpenAIBackend({
    baseURL: config.baseURL,
    model: config.model,
    apiKey,
    maxTokensField: config.maxTokensField,
    extraBody: config.extraBody,
    headers: config.headers,
  });
  return createLlmCoach(config, backend, { ...env, path }, apiKey);
}

export const openaiCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'openai',
  description: 'LLM coach on an OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, OpenRouter, Gemini OpenAI API).',
  configSchema: OpenAICoachConfig,
  create: (config, deps) => createOpenAICoach(config, llmCoachEnv(deps)),
});
