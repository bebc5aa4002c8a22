import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import type { Logger } from '../../core/contracts/Logger.js';
import { MappaError } from '../../core/util/MappaError.js';
import type { AdapterLoader } from './AdapterLoader.js';
import { HttpError, badRequest } from './HttpError.js';
import type { ModelRegistry } from './ModelRegistry.js';
import { VERSION_HEADER } from './Reply.js';
import type { Reply } from './Reply.js';
import type { LoadAdapterSchema, UnloadAdapterSchema } from './requestSchemas.js';
import type { CheckpointLoader, ServableModel } from './ServableModel.js';

export interface LoadContext {
  readonly registry: ModelRegistry;
  readonly loadCheckpoint: CheckpointLoader;
  readonly adapterLoader: AdapterLoader | undefined;
  readonly logger: Logger | undefined;
}

const exists = (file: string) => stat(file).then((s) => s.isFile(), () => false);

/** What a directory holds: a PEFT adapter (adapter_config.json) or a full checkpoint (config.json). */
async function directoryKind(dir: string): Promise<'adapter' | 'checkpoint'> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw badRequest(`lora_path ${dir} is not a directory`, 'lora_path', 'invalid_path');
  if (await exists(join(dir, 'adapter_config.json'))) return 'adapter';
  if (await exists(join(dir, 'config.json'))) return 'checkpoint';
  throw badRequest(`lora_path ${dir} has neither adapter_config.json (a PEFT adapter) nor config.json (a full checkpoint)`, 'lora_path', 'invalid_path');
}

async function loadAdapter(ctx: LoadContext, name: string, path: string): Promise<ServableModel> {
  if (!ctx.adapterLoader) {
    throw badRequest(
      `lora_path ${path} is a PEFT adapter (adapter_config.json); mappa serve does not load LoRA adapters yet. Load a full checkpoint directory (config.json + model.safetensors) instead, e.g. the adapter merged into its base`,
      'lora_path',
      'adapters_not_supported',
    );
  }
  let baseModelName: string | undefined;
  try {
    const cfg = JSON.parse(await readFile(join(path, 'adapter_config.json'), 'utf8')) as { base_model_name_or_path?: unknown };
    if (typeof cfg.base_model_name_or_path === 'string') baseModelName = cfg.base_model_name_or_path;
  } catch (err) {
    throw badRequest(`${join(path, 'adapter_config.json')}: ${(err as Error).message}`, 'lora_path', 'invalid_adapter');
  }
  return ctx.adapterLoader.load({ name, path, baseModelName, servedModel: (n) => ctx.registry.get(n)?.model });
}

/**
 * POST /v1/load_lora_adapter (vLLM's runtime LoRA protocol) for full checkpoints: a new name, or `load_inplace` to
 * replace a served model. The new weights load into a new model object; the swap is one reference assignment, so
 * requests in flight finish on the weights (and the version) they started with.
 */
export async function loadModelRoute(body: z.output<typeof LoadAdapterSchema>, ctx: LoadContext, reply: Reply): Promise<void> {
  const name = body.lora_name;
  const path = resolve(body.lora_path);
  const version = await ctx.registry.exclusive(name, async () => {
    const existing = ctx.registry.get(name);
    if (existing && body.load_inplace !== true) {
      throw badRequest(`The lora adapter '${name}' has already been loaded. Pass "load_inplace": true to replace its weights.`, 'lora_name', 'already_loaded');
    }
    if (existing && (ctx.adapterLoader?.adaptersOn?.(existing.model) ?? 0) > 0) {
      throw badRequest(
        `model '${name}' is the base of ${ctx.adapterLoader!.adaptersOn!(existing.model)} loaded LoRA adapter(s); unload them before replacing it`,
        'lora_name',
        'base_in_use',
      );
    }
    const kind = await directoryKind(path);
    let model: ServableModel;
    try {
      model = kind === 'adapter' ? await loadAdapter(ctx, name, path) : await ctx.loadCheckpoint(path, name);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (err instanceof MappaError) throw badRequest(`cannot load ${path}: ${err.message}${err.hint ? ` (${err.hint})` : ''}`, 'lora_path', 'load_failed');
      throw err;
    }
    const v = body.version ?? (existing ? existing.version + 1 : 0);
    ctx.registry.put({ name, model, version: v, path, kind, loadedAt: Date.now() });
    return v;
  });
  ctx.logger?.info(`serve: loaded ${name} version ${version} from ${path}`);
  reply.text(200, `Success: LoRA adapter '${name}' added successfully.`, { [VERSION_HEADER]: String(version) });
}

/** POST /v1/unload_lora_adapter: stops serving a name (its requests in flight finish first). */
export async function unloadModelRoute(
  body: z.output<typeof UnloadAdapterSchema>,
  registry: ModelRegistry,
  reply: Reply,
  logger: Logger | undefined,
  adapterLoader?: AdapterLoader,
): Promise<void> {
  const name = body.lora_name;
  const served = registry.get(name);
  const attached = served ? (adapterLoader?.adaptersOn?.(served.model) ?? 0) : 0;
  if (attached > 0) throw badRequest(`model '${name}' is the base of ${attached} loaded LoRA adapter(s); unload them first`, 'lora_name', 'base_in_use');
  const removed = await registry.exclusive(name, async () => registry.remove(name));
  if (!removed) throw new HttpError(404, `The lora adapter '${name}' cannot be found.`, 'not_found_error', 'lora_name', 'model_not_found');
  logger?.info(`serve: unloaded ${name}`);
  reply.text(200, `Success: LoRA adapter '${name}' removed successfully.`);
}
