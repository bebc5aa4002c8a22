// node:http rather than a framework: six JSON routes and one SSE stream need no router, and raw responses keep
// streaming, headers and error shapes exactly as vLLM's clients expect them, without a new dependency.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../../core/contracts/Logger.js';
import { MappaError } from '../../core/util/MappaError.js';
import { redactString } from '../../core/util/redactSecrets.js';
import type { AdapterLoader } from './AdapterLoader.js';
import { createPeftAdapterLoader } from './peftAdapterLoader.js';
import { startHttpServer } from './startHttpServer.js';
import { chatCompletion } from './chatCompletion.js';
import { completion } from './completion.js';
import { HttpError, badRequest } from './HttpError.js';
import { keyMatches, readJsonBody } from './httpBody.js';
import { loadModelRoute, unloadModelRoute } from './loadModelRoutes.js';
import { ModelRegistry } from './ModelRegistry.js';
import type { ServedModelVersion } from './ModelRegistry.js';
import { Reply } from './Reply.js';
import { ChatRequestSchema, CompletionRequestSchema, LoadAdapterSchema, UnloadAdapterSchema } from './requestSchemas.js';
import type { CheckpointLoader } from './ServableModel.js';

export interface ServedModelSpec {
  /** Name clients put in `model`. */
  readonly name: string;
  /** Hugging Face checkpoint directory (`mappa model init`, `policy.save`, transformers' save_pretrained). */
  readonly path: string;
  /** Starting version (default 0). */
  readonly version?: number | undefined;
}

export interface OpenAIServerOptions {
  readonly models: readonly ServedModelSpec[];
  /** Default 127.0.0.1: loopback only unless asked otherwise. */
  readonly host?: string | undefined;
  /** Default 8000; 0 picks a free port. */
  readonly port?: number | undefined;
  /** Bearer key every /v1 request must carry (from an environment variable; never logged). */
  readonly apiKey?: string | undefined;
  /** Loads a full checkpoint directory (default: a tfjs-transformer policy). */
  readonly loadCheckpoint?: CheckpointLoader | undefined;
  /** Loads PEFT adapter directories; without one, loading an adapter answers 400. */
  readonly adapterLoader?: AdapterLoader | undefined;
  readonly logger?: Logger | undefined;
  /** Largest request body accepted (default 32 MiB). */
  readonly maxBodyBytes?: number | undefined;
}

export interface OpenAIServer {
  /** Base URL without the /v1 suffix, e.g. http://127.0.0.1:8000. */
  readonly url: string;
  readonly port: number;
  /** Current models and their versions. */
  models(): ServedModelVersion[];
  /** Stops accepting connections, aborts generations in flight, waits for their handlers, disposes the models. */
  close(): Promise<void>;
}

const defaultLoadCheckpoint: CheckpointLoader = async (path, name) => {
  // Imported lazily: tfjs is heavy and `mappa --help` must stay fast.
  const { createTfjsTransformerPolicy } = await import('../policies/tfjs-transformer/createTfjsTransformerPolicy.js');
  return createTfjsTransformerPolicy({ path, id: name });
};

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.join('.') : null;
  const all = r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw badRequest(all, param);
}

/**
 * An OpenAI-compatible HTTP server (the subset of vLLM's that RL needs) for tfjs-transformer checkpoints, with vLLM's
 * runtime LoRA endpoints as the weight-reload protocol and a per-model integer version on every completion.
 */
export async function createOpenAIServer(o: OpenAIServerOptions): Promise<OpenAIServer> {
  const logger = o.logger;
  const registry = new ModelRegistry((name, err) => logger?.warn(`serve: disposing an old version of ${name} failed`, { error: String(err) }));
  const loadCheckpoint = o.loadCheckpoint ?? defaultLoadCheckpoint;
  const adapterLoader =
    o.adapterLoader ?? createPeftAdapterLoader({ servedNames: () => registry.list().filter((m) => m.kind === 'checkpoint').map((m) => m.name) });
  const maxBody = o.maxBodyBytes ?? 32 * 1024 * 1024;
  const seen = new Set<string>();
  for (const m of o.models) {
    if (seen.has(m.name)) throw new MappaError(`model name "${m.name}" is given twice`, { hint: 'give every --model NAME=DIR a different NAME' });
    seen.add(m.name);
  }
  try {
    for (const m of o.models) {
      const model = await loadCheckpoint(m.path, m.name);
      registry.put({ name: m.name, model, version: m.version ?? 0, path: m.path, kind: 'checkpoint', loadedAt: Date.now() });
    }
  } catch (err) {
    await registry.closeAll();
    throw err;
  }

  const closing = new AbortController();

  async function route(req: IncomingMessage, reply: Reply, signal: AbortSignal): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] as string;
    const method = req.method ?? 'GET';
    if (path === '/health' && method === 'GET') return reply.text(200, '');
    if (o.apiKey !== undefined && path.startsWith('/v1/') && !keyMatches(req.headers.authorization, o.apiKey)) {
      throw new HttpError(401, 'missing or wrong API key (send Authorization: Bearer <key>)', 'authentication_error', null, 'invalid_api_key');
    }
    const post = async () => {
      if (method !== 'POST') throw new HttpError(405, `${path} takes POST, not ${method}`, 'invalid_request_error', null, 'method_not_allowed');
      return readJsonBody(req, maxBody);
    };
    switch (path) {
      case '/v1/models':
        if (method !== 'GET') throw new HttpError(405, `${path} takes GET, not ${method}`, 'invalid_request_error', null, 'method_not_allowed');
        return reply.json(200, {
          object: 'list',
          data: registry.list().map((m) => ({
            id: m.name,
            object: 'model',
            created: Math.floor(m.loadedAt / 1000),
            owned_by: 'mappa',
            root: m.path,
            parent: null,
            max_model_len: m.model.maxContextLength,
            model_version: m.version,
          })),
        });
      case '/v1/chat/completions':
        return chatCompletion(parse(ChatRequestSchema, await post()), registry, reply, signal);
      case '/v1/completions':
        return completion(parse(CompletionRequestSchema, await post()), registry, reply, signal);
      case '/v1/load_lora_adapter':
        return loadModelRoute(parse(LoadAdapterSchema, await post()), { registry, loadCheckpoint, adapterLoader, logger }, reply);
      case '/v1/unload_lora_adapter':
        return unloadModelRoute(parse(UnloadAdapterSchema, await post()), registry, reply, logger, adapterLoader);
      default:
        throw new HttpError(404, `unknown route ${method} ${path}`, 'not_found_error', null, 'unknown_route');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = new Reply(res);
    const request = new AbortController();
    const onClosing = () => request.abort(new Error('server shutting down'));
    closing.signal.addEventListener('abort', onClosing, { once: true });
    // A client that hangs up stops its generation (the engine drops the row at the next step).
    res.on('close', () => {
      if (!res.writableFinished) request.abort(new Error('client disconnected'));
    });
    try {
      await route(req, reply, request.signal);
    } catch (err) {
      const e =
        err instanceof HttpError
          ? err
          : request.signal.aborted
            ? new HttpError(503, `request aborted: ${(request.signal.reason as Error | undefined)?.message ?? 'aborted'}`, 'service_unavailable', null, 'aborted')
            : new HttpError(500, redactString((err as Error)?.message ?? String(err)), 'internal_server_error');
      if (e.status >= 500 && !request.signal.aborted) logger?.error(`serve: ${req.method} ${req.url} failed: ${e.message}`);
      if (reply.streaming) {
        reply.send(e.body());
        reply.endStream();
      } else if (!reply.started && !res.writableEnded) reply.json(e.status, e.body());
      else res.destroy();
    } finally {
      closing.signal.removeEventListener('abort', onClosing);
    }
  }

  const http = await startHttpServer(handle, { host: o.host, port: o.port ?? 8000 });
  let closed: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
    models: () => registry.list(),
    close: () =>
      (closed ??= (async () => {
        await http.stop(() => closing.abort());
        await registry.closeAll();
      })()),
  };
}
