const SECRET_KEY = /(api[_-]?key|secret|password|token|authorization|bearer)$/i;
const SECRET_VALUE = /\b(sk-[A-Za-z0-9_-]{8,}|sk-ant-[A-Za-z0-9_-]{8,}|AIza[0-9A-Za-z_-]{20,}|Bearer\s+[A-Za-z0-9._-]{8,})/g;

/**
 * Returns a deep copy with values under secret-looking keys replaced, and secret-looking strings masked.
 * Keys that name an environment variable (`apiKeyEnv`) are kept: they are not secrets.
 */
export function redactSecrets<T>(value: T): T {
  return walk(value) as T;
}

function walk(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && SECRET_KEY.test(key) && !/env$/i.test(key)) return '[redacted]';
    return redactString(value);
  }
  if (Array.isArray(value)) return value.map((v) => walk(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k);
    return out;
  }
  return value;
}

/** Masks API-key-looking substrings (used on error messages and logs). */
export function redactString(text: string): string {
  return text.replace(SECRET_VALUE, '[redacted]');
}
