import { z } from 'zod';
import type { RetryPolicy } from './retryCall.js';

/** The retry settings of an LLM caller, as a config schema whose defaults suit the consumer. */
export function retryConfig(defaults: RetryPolicy) {
  return z.strictObject({
    retries: z.number().int().min(0).default(defaults.retries).describe('Retries after the first attempt (429, 5xx, timeouts, network errors)'),
    minDelayMs: z.number().int().min(0).default(defaults.minDelayMs).describe('First backoff delay'),
    maxDelayMs: z.number().int().min(0).default(defaults.maxDelayMs).describe('Largest backoff delay (a Retry-After header overrides it)'),
    factor: z.number().min(1).default(defaults.factor).describe('Backoff growth per retry'),
    jitter: z.number().min(0).max(1).default(defaults.jitter).describe('Share of each delay that is randomized'),
    maxTotalMs: z.number().int().min(0).default(defaults.maxTotalMs).describe('Give up once retrying would exceed this much time per request'),
  });
}

/** Rate-limit fields shared by every LLM caller's config (per provider endpoint and model, shared in the process). */
export const rateLimitFields = {
  requestsPerMinute: z.number().positive().optional().describe('Rate limit of requests to this provider'),
  burst: z.number().int().min(1).optional().describe('Requests that may start back to back under the rate limit'),
};
