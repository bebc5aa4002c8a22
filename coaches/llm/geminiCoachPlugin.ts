import { z } from 'zod';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { readApiKey } from '../../core/util/readApiKey.js';
import type { LlmCoach } from './LlmCoach.js';
import { llmCoachRuntimeFields } from './llmCoachConfig.js';
import { llmCoachEnv, type LlmCoachEnv } from './llmCoachEnv.js';

const GEMINI_API = 'https://generativelanguage.googleapis.com';

export const GeminiCoachConfig = z.strictObject({
  ...llmCoachRuntimeFields,
  baseURL: z.string().url().optional().describe('Gemini API base URL (default: Google; set it for proxies or local fakes)'),
  apiVersion: z.string().optional().describe('API version path segment (default: the SDK default, v1beta)'),
  apiKeyEnv: z.string().default('GEMINI_API_KEY').describe('Environment variable holding the API key (not needed for loopback servers)'),
});
export type GeminiCoachConfig = z.output<typeof GeminiCoachConfig>;

/** An LLM coach on the Gemini API via `@google/genai` (plain factory, no DI needed). */
export async function createGeminiCoach(options: z.input<typeof GeminiCoachConfig>, env: LlmCoachEnv = {}): Promise<LlmCoach> {
  const config = GeminiCoachConfig.parse(options);
  const path = env.path ?? 'coach';
  const apiKey = readApiKey(config.apiKeyEnv, config.baseURL ?? GEMINI_API, path);
  const [{ GeminiBackend }, { createLlmCoach }] = await Promise.all([import('../../plugins/llm/providers/GeminiBackend.js'), import('./createLlmCoach.js')]);
  const backend = new GeminiBackend({ baseURL: config.baseURL, apiVersion: config.apiVersion, model: config.model, apiKey, headers: config.headers });
  return createLlmCoach(config, backend, { ...env, path }, apiKey);
}

export const geminiCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'gemini',
  description: 'LLM coach on the Gemini API (@google/genai); the paper used gemini-2.5-flash (MathChat) and gemini-2.5-pro (DSBench).',
  configSchema: GeminiCoachConfig,
  create: (config, deps) => createGeminiCoach(config, llmCoachEnv(deps)),
});
