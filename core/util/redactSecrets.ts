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

/** Secret values this process has read (API keys from the environment), masked wherever they appear. */
const knownSecrets = new Set<string>();

/**
 * Makes every later `redactString` (and so every file mappa writes, every log line and error) mask `value`, whatever
 * its format. Short values are ignored: masking a 3-letter word everywhere would garble text and protect nothing.
 */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 8 || value === 'EMPTY') return;
  knownSecrets.add(value);
  // As it appears inside JSON text.
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) knownSecrets.add(escaped);
}

/** Masks known secrets and API-key-looking substrings (error messages, logs, everything written to disk). */
export function redactString(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out.replace(SECRET_VALUE, '[redacted]');
}
