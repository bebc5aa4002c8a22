import type { ServableModel } from './ServableModel.js';

export interface AdapterLoadRequest {
  /** Model name the adapter is served under (`lora_name`). */
  readonly name: string;
  /** PEFT adapter directory (has adapter_config.json). */
  readonly path: string;
  /** `base_model_name_or_path` from adapter_config.json, when present. */
  readonly baseModelName: string | undefined;
  /** Looks up a served model by name (the base the adapter applies to). */
  readonly servedModel: (name: string) => ServableModel | undefined;
}

/**
 * The seam for PEFT LoRA adapters: given an adapter directory, returns a servable model (base weights + adapter).
 * `mappa serve` answers 400 for adapter directories until one is configured.
 */
export interface AdapterLoader {
  load(request: AdapterLoadRequest): Promise<ServableModel>;
  /** How many loaded adapters run on this model's weights (a base with adapters must not be replaced or unloaded). */
  adaptersOn?(model: ServableModel): number;
}
