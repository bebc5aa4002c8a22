/** Why a coach request failed, in the terms the retry policy needs. */
export type BackendErrorKind = 'http' | 'timeout' | 'network' | 'aborted' | 'invalid-response';

const RETRYABLE_STATUS = new Set([408, 409, 425, 429]);

/** True for HTTP statuses worth retrying: rate limits, conflicts, request timeouts and server errors. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

/**
 * A failed coach request. The message never contains secrets (backends scrub it). `retryAfterMs` carries the
 * server's `Retry-After` (or `retry-after-ms`) when it sent one.
 */
export class BackendError extends Error {
  readonly kind: BackendErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { kind: BackendErrorKind; status?: number | undefined; retryAfterMs?: number | undefined }) {
    super(message);
    this.name = 'BackendError';
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

/**
 * Reads `retry-after-ms` (OpenAI's extension) or `Retry-After` (seconds or an HTTP date) into milliseconds.
 * Returns `undefined` when absent or unreadable.
 */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
