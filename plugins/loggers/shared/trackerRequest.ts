import { PermanentLoggerError } from '../../../core/contracts/RunLogger.js';
import { redactString } from '../../../core/util/redactSecrets.js';

export type FetchLike = typeof fetch;

/**
 * One HTTP call to a tracker. A 4xx other than 408/429 is permanent (retrying the same request cannot help);
 * anything else (network error, 5xx, timeout) is thrown for the caller's retry. Bodies in errors are cut and redacted.
 */
export async function trackerRequest(fetchFn: FetchLike, url: string, init: RequestInit & { timeoutMs: number }): Promise<Response> {
  const { timeoutMs, ...rest } = init;
  const res = await fetchFn(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
  if (res.ok) return res;
  const body = redactString((await res.text().catch(() => '')).slice(0, 300));
  const message = `${init.method ?? 'GET'} ${new URL(url).pathname} → HTTP ${res.status}${body ? `: ${body}` : ''}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentLoggerError(message);
  throw new Error(message);
}

/** Reads an API key from the environment variable named by the config; the key itself is never in a config or a log. */
export function apiKeyFromEnv(envName: string | undefined): string | undefined {
  if (!envName) return undefined;
  const v = process.env[envName];
  return v && v.trim() ? v.trim() : undefined;
}

/** Flattens a nested config to dotted keys (`run.eval.every`), arrays by index (`agents.0.id`). */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = Array.isArray(value) ? '[]' : '{}';
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined && prefix) out[prefix] = String(value);
  return out;
}

/** Numbers a tracker can store (JSON has no NaN or Infinity). */
export function finiteMetrics(metrics: Readonly<Record<string, number | string>>): Array<[string, number]> {
  return Object.entries(metrics).filter((e): e is [string, number] => e[0] !== 'step' && typeof e[1] === 'number' && Number.isFinite(e[1]));
}
