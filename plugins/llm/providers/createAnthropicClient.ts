import Anthropic from '@anthropic-ai/sdk';
import type { LlmConnection } from '../LlmConnection.js';
import type { LlmError } from '../LlmError.js';
import { stainlessClientOptions } from './stainlessClientOptions.js';
import { stainlessLlmError } from './stainlessLlmError.js';

/** The `@anthropic-ai/sdk` client: explicit key, injectable fetch, SDK retries off. */
export function createAnthropicClient(connection: LlmConnection): Anthropic {
  return new Anthropic(stainlessClientOptions(connection));
}

/** An error of the Anthropic client as an `LlmError` (key scrubbed, `Retry-After` read). */
export function anthropicLlmError(err: unknown, apiKey: string): LlmError {
  return stainlessLlmError('anthropic', err, apiKey, Anthropic);
}
