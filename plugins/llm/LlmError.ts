/** Why an LLM request failed, in the terms the retry policy needs. */
export type LlmErrorKind = 'http' | 'timeout' | 'network' | 'aborted' | 'invalid-response';

const RETRYABLE_STATUS = new Set([408, 409, 425, 429]);

/** True for HTTP statuses worth retrying: rate limits, conflicts, request timeouts and server errors. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

/**
 * A failed LLM request, whatever the provider. The message never contains secrets (the provider mappers scrub it).
 * `retryAfterMs` carries the server's `Retry-After` (or `retry-after-ms`) when it sent one.
 */
export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { kind: LlmErrorKind; status?: number | undefined; retryAfterMs?: number | undefined; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LlmError';
    this.kind = options.kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  get retryable(): boolean {
    if (this.kind === 'timeout' || this.kind === 'network') return true;
    if (this.kind === 'http' && this.status !== undefined) return isRetryableStatus(this.status);
    return false;
  }
}
