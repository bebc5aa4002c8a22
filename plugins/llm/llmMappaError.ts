import { MappaError } from '../../core/util/MappaError.js';
import { redactString } from '../../core/util/redactSecrets.js';
import { LlmError } from './LlmError.js';

export interface LlmErrorContext {
  /** Who made the request, e.g. `policy solver`. */
  readonly who: string;
  readonly baseURL: string;
  readonly model: string;
  /** Config path of the caller's settings, e.g. `policies.solver` (for hints). */
  readonly path?: string | undefined;
  /** Environment variable the key came from (for hints). */
  readonly apiKeyEnv?: string | undefined;
}

/** What the user can do about a failed request, by kind and status. */
function hintFor(e: LlmError, c: LlmErrorContext): string {
  const at = c.path ? `${c.path}.` : '';
  if (e.kind === 'timeout') return `the server did not answer in time: raise ${at}timeoutMs, or check that ${c.baseURL} is not overloaded`;
  if (e.kind === 'network') return `is the server running at ${c.baseURL}? (check ${at}baseURL)`;
  if (e.kind === 'http' && (e.status === 401 || e.status === 403)) {
    return `the server refused the API key: check the key in ${c.apiKeyEnv ?? 'the apiKeyEnv variable'} (${at}apiKeyEnv)`;
  }
  if (e.kind === 'http' && e.status === 404) return `check ${at}baseURL (it usually ends in /v1) and that the server serves model "${c.model}"`;
  if (e.kind === 'http' && e.status === 429) return `the provider kept rate-limiting after the retries: lower ${at}concurrency or set ${at}requestsPerMinute, or raise ${at}retry`;
  if (e.kind === 'http' && e.status !== undefined && e.status >= 500) return `the server failed after the retries; check its logs, or raise ${at}retry.retries`;
  if (e.kind === 'http') return 'the server rejected the request; check the settings it names';
  if (e.kind === 'aborted') return 'the run was stopped while the request was in flight';
  return `the server's reply is not an OpenAI-compatible response; check ${at}baseURL`;
}

/** A failed LLM request as the `MappaError` users see: who, where, why (secrets masked), and what to do. */
export function llmMappaError(err: unknown, context: LlmErrorContext): MappaError {
  const e = err instanceof LlmError ? err : new LlmError(String((err as Error)?.message ?? err), { kind: 'invalid-response' });
  return new MappaError(`${context.who}: request to ${context.baseURL} failed: ${redactString(e.message)}`, { hint: hintFor(e, context), cause: err });
}
