import { LlmError } from '../LlmError.js';
import { parseRetryAfter } from '../parseRetryAfter.js';
import { scrubSecret } from '../scrubSecret.js';

type ErrorClass<T extends Error = Error> = abstract new (...args: never[]) => T;

/** The error classes that the Stainless-generated SDKs (`openai`, `@anthropic-ai/sdk`) both export on their client. */
export interface StainlessErrorClasses {
  readonly APIUserAbortError: ErrorClass;
  readonly APIConnectionTimeoutError: ErrorClass;
  readonly APIConnectionError: ErrorClass;
  readonly APIError: ErrorClass<Error & { readonly status: number | undefined; readonly headers: Headers | undefined }>;
}

/**
 * Maps an error thrown by a Stainless SDK client to an `LlmError` the retry policy understands, with the API key
 * scrubbed from the message. The checks go from the most specific class (timeouts are connection errors, which are
 * API errors without a status). `LlmError`s (thrown by our own response checks) pass through.
 */
export function stainlessLlmError(provider: string, err: unknown, apiKey: string, sdk: StainlessErrorClasses): LlmError {
  if (err instanceof LlmError) return err;
  const scrub = (m: string) => scrubSecret(m, apiKey);
  if (err instanceof sdk.APIUserAbortError) return new LlmError(`${provider}: request aborted`, { kind: 'aborted' });
  if (err instanceof sdk.APIConnectionTimeoutError) return new LlmError(`${provider}: request timed out`, { kind: 'timeout' });
  if (err instanceof sdk.APIConnectionError) return new LlmError(`${provider}: connection failed: ${scrub(err.message)}`, { kind: 'network' });
  if (err instanceof sdk.APIError && err.status !== undefined) {
    return new LlmError(`${provider}: HTTP ${err.status}: ${scrub(err.message)}`, {
      kind: 'http',
      status: err.status,
      retryAfterMs: parseRetryAfter(err.headers),
    });
  }
  return new LlmError(`${provider}: ${scrub((err as Error)?.message ?? String(err))}`, { kind: 'invalid-response' });
}
