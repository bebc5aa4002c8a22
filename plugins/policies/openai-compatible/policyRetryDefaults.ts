import type { RetryPolicy } from '../../llm/retryCall.js';

/** The policy's backoff when none is configured: the shape the `openai` SDK's own retries had (0.5 s doubling to 8 s). */
export const POLICY_RETRY_DEFAULTS: RetryPolicy = { retries: 3, minDelayMs: 500, maxDelayMs: 8000, factor: 2, jitter: 0.25, maxTotalMs: 600_000 };
