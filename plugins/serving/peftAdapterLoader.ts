import { TfjsTransformerPolicy } from '../policies/tfjs-transformer/TfjsTransformerPolicy.js';
import type { AdapterLoader, AdapterLoadRequest } from './AdapterLoader.js';
import { badRequest } from './HttpError.js';
import type { ServableModel } from './ServableModel.js';

/**
 * Serves PEFT LoRA adapters on a tfjs-transformer model `mappa serve` already serves: the adapter shares the base's
 * weights (no copy), so many agents' adapters fit next to one base. The base is the served model named by
 * `base_model_name_or_path`, or the only served model when there is exactly one.
 *
 * A base that is reloaded in place keeps serving its adapters on the old weights until they are reloaded too: an
 * adapter is bound to the base object it was loaded on.
 */
export function createPeftAdapterLoader(o: { readonly servedNames: () => readonly string[] }): AdapterLoader {
  const live = new WeakMap<ServableModel, number>();
  return {
    adaptersOn: (model) => live.get(model) ?? 0,
    async load(r: AdapterLoadRequest): Promise<ServableModel> {
      const names = o.servedNames();
      const baseName = r.baseModelName !== undefined && r.servedModel(r.baseModelName) ? r.baseModelName : names.length === 1 ? names[0] : undefined;
      const base = baseName === undefined ? undefined : r.servedModel(baseName);
      if (!base) {
        throw badRequest(
          `${r.path}/adapter_config.json names base_model_name_or_path ${JSON.stringify(r.baseModelName ?? null)}, which is not a served model (served: ${names.join(', ') || 'none'})`,
          'lora_path',
          'unknown_base_model',
        );
      }
      if (!(base instanceof TfjsTransformerPolicy)) {
        throw badRequest(`served model "${baseName}" cannot take LoRA adapters (not a tfjs-transformer model)`, 'lora_path', 'adapters_not_supported');
      }
      let adapter: TfjsTransformerPolicy;
      try {
        adapter = await base.withAdapter(r.path, { id: r.name });
      } catch (err) {
        const e = err as Error & { hint?: string };
        throw badRequest(`${e.message}${e.hint ? ` (${e.hint})` : ''}`, 'lora_path', 'invalid_adapter');
      }
      live.set(base, (live.get(base) ?? 0) + 1);
      const dispose = adapter.dispose.bind(adapter);
      let disposed = false;
      // The count follows the adapter's life: the registry disposes it once it is unloaded or replaced and idle.
      return Object.assign(adapter, {
        dispose: () => {
          if (!disposed) live.set(base, (live.get(base) ?? 1) - 1);
          disposed = true;
          dispose();
        },
      });
    },
  };
}
