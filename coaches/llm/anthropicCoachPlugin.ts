import { z } from 'zod';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { readApiKey } from '../../core/util/readApiKey.js';
import type { LlmCoach } from './LlmCoach.js';
import { llmCoachRuntimeFields } from './llmCoachConfig.js';
import { llmCoachEnv, type LlmCoachEnv } from './llmCoachEnv.js';

export const AnthropicCoachConfig = z.strictObject({
  ...llmCoachRuntimeFields,
  baseURL: z.string().url().default('https://api.anthropic.com').describe('Messages API base URL'),
  apiKeyEnv: z.string().default('ANTHROPIC_API_KEY').describe('Environment variable holding the API key (not needed for loopback servers)'),
});
export type AnthropicCoachConfig = z.output<typeof AnthropicCoachConfig>;

/** An LLM coach on Anthropic's Messages API (plain factory, no DI needed). */
export async function createAnthropicCoach(options: z.input<typeof AnthropicCoachConfig>, env: LlmCoachEnv = {}): Promise<LlmCoach> {
  const config = AnthropicCoachConfig.parse(options);
  const path = env.path ?? 'coach';
  const apiKey = readApiKey(config.apiKeyEnv, config.baseURL, path);
  const [{ AnthropicBackend }, { createLlmCoach }] = await Promise.all([import('../../plugins/llm/providers/AnthropicBackend.js'), import('./createLlmCoach.js')]);
  const backend = new AnthropicBackend({ baseURL: config.baseURL, model: config.model, apiKey, headers: config.headers });
  return createLlmCoach(config, backend, { ...env, path }, apiKey);
}

export const anthropicCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'anthropic',
  description: "LLM coach on Anthropic's Messages API (@anthropic-ai/sdk).",
  configSchema: AnthropicCoachConfig,
  create: (config, deps) => createAnthropicCoach(config, llmCoachEnv(deps)),
});
