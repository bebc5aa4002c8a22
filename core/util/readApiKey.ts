import { MappaError } from './MappaError.js';
import { isLoopbackUrl } from './isLoopbackUrl.js';
import { registerSecret } from './redactSecrets.js';

/**
 * Reads an API key from the environment variable named in a plugin's config. Keys never come from files.
 * Loopback servers (vLLM, Ollama, test fakes) usually need no key, so a placeholder is used there.
 */
export function readApiKey(envName: string, baseURL: string | undefined, path: string): string {
  const value = process.env[envName];
  if (value && value.length > 0) {
    registerSecret(value);
    return value;
  }
  if (baseURL && isLoopbackUrl(baseURL)) return 'EMPTY';
  throw new MappaError(`environment variable ${envName} is not set (${path}.apiKeyEnv)`, {
    hint: `export ${envName}=... before running, or point ${path}.apiKeyEnv at the variable that holds the key`,
  });
}
