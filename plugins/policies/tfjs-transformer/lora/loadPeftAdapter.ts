import type { TfjsTransformerPolicy } from '../TfjsTransformerPolicy.js';

/**
 * Loads a PEFT LoRA adapter directory onto a loaded base policy, sharing the base's weights (no copy): the returned
 * policy generates and scores with the adapter; `dispose()` on it unloads the adapter and leaves the base alone.
 * This is the runtime entry point for serving many adapters on one base (e.g. vLLM's `/v1/load_lora_adapter`):
 * adapters are checked against the base (rank, shapes, target modules, DoRA / modules_to_save refused, and a local
 * `base_model_name_or_path` of another architecture), with MappaErrors naming the file and key.
 */
export function loadPeftAdapter(dir: string, base: TfjsTransformerPolicy, options: { readonly id?: string } = {}): Promise<TfjsTransformerPolicy> {
  return base.withAdapter(dir, options);
}
