import OpenAI from 'openai';
import type { LlmConnection } from '../LlmConnection.js';
import type { LlmError } from '../LlmError.js';
import { stainlessClientOptions } from './stainlessClientOptions.js';
import { stainlessLlmError } from './stainlessLlmError.js';

/** The `openai` client every OpenAI-compatible caller uses: explicit key, injectable fetch, SDK retries off. */
export function createOpenAIClient(connection: LlmConnection): OpenAI {
  return new OpenAI(stainlessClientOptions(connection));
}

/** An error of the `openai` client as an `LlmError` (key scrubbed, `Retry-After` read). */
export function openaiLlmError(err: unknown, apiKey: string, provider = 'openai'): LlmError {
  return stainlessLlmError(provider, err, apiKey, OpenAI);
}
