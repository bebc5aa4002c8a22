import type { Policy } from './Policy.js';

/**
 * A policy whose weights a trainer outside this process replaces (`trainer: { use: external }`): it knows where the
 * weights it serves live, and it can make its server serve new ones under a new version. `version` follows the
 * weights it serves.
 */
export interface ExternallyTrainablePolicy extends Policy {
  /** Directory of the weights being served (a Hugging Face checkpoint or a PEFT adapter), if known. */
  readonly weightsDir: string | undefined;
  /**
   * Makes the server serve the weights in `dir` as `version` and resolves once it does (vLLM's
   * `POST /v1/load_lora_adapter` with `load_inplace`, plus mappa's `version` field).
   */
  loadWeights(dir: string, version: number, signal?: AbortSignal): Promise<void>;
  /** Records that `dir` is served as `version` (after something else reloaded the server, e.g. a reload command). */
  setServedWeights(dir: string, version: number): void;
}

export function isExternallyTrainablePolicy(p: Policy): p is ExternallyTrainablePolicy {
  const t = p as Partial<ExternallyTrainablePolicy>;
  return typeof t.loadWeights === 'function' && typeof t.setServedWeights === 'function' && 'weightsDir' in p;
}
