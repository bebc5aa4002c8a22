import { redactString } from '../../core/util/redactSecrets.js';

/**
 * Masks the given secret wherever it appears (servers sometimes echo a key back in an error), then any other
 * key-looking substring.
 */
export function scrubSecret(text: string, secret: string | undefined): string {
  let out = text;
  if (secret && secret.length >= 4 && secret !== 'EMPTY') out = out.split(secret).join('[redacted]');
  return redactString(out);
}
