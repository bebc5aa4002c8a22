import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAICompatiblePolicy } from '../../plugins/policies/openai-compatible/OpenAICompatiblePolicy.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { createOpenAIServer } from '../../plugins/serving/createOpenAIServer.js';
import type { OpenAIServer } from '../../plugins/serving/createOpenAIServer.js';
import { hfTinyDir } from '../tfjs/hfTinyFixtures.js';
import { MAX_CONTEXT, tinyCheckpoints } from './serveFixtures.js';

let fx: Awaited<ReturnType<typeof tinyCheckpoints>>;
let server: OpenAIServer;
let client: OpenAI;
const disposed: string[] = [];
let hold: { entered: (signal: AbortSignal | undefined) => void; release: Promise<void> } | undefined;

beforeAll(async () => {
  fx = await tinyCheckpoints();
  server = await createOpenAIServer({
    models: [{ name: 'tiny', path: fx.a }],
    port: 0,
    // The default loader, recording when an old version is disposed, and able to hold a generation at its start
    // (so a reload certainly happens while that request is in flight).
    loadCheckpoint: async (path, name) => {
      const p = await createTfjsTransformerPolicy({ path, id: name });
      const dispose = p.dispose.bind(p);
      p.dispose = () => {
        disposed.push(path);
        dispose();
      };
      const generateFromIds = p.generateFromIds.bind(p);
      p.generateFromIds = async (request) => {
        const held = hold;
        if (held) {
          hold = undefined;
          held.entered(request.signal);
          await held.release;
        }
        return generateFromIds(request);
      };
      return p;
    },
  });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await fx?.remove();
});

const messages = [
  { role: 'system' as const, content: 'You are the Problem Solver.' },
  { role: 'user' as const, content: 'What is 3 + 4?' },
];

type VllmChat = Omit<OpenAI.Chat.Completions.ChatCompletion, 'choices'> & {
  model_version: number;
  prompt_token_ids: number[];
  choices: Array<OpenAI.Chat.Completions.ChatCompletion.Choice & { token_ids: number[]; stop_reason: unknown }>;
};

async function chat(body: Record<string, unknown>): Promise<{ data: VllmChat; version: string | null }> {
  const { data, response } = await client.chat.completions
    .create({ model: 'tiny', messages, ...body } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming)
    .withResponse();
  return { data: data as VllmChat, version: response.headers.get('x-mappa-model-version') };
}

async function raw(path: string, init: RequestInit = {}): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, ...init });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

describe('mappa serve: chat completions over HTTP equal in-process generation', () => {
  it('returns the same token ids and log-probs as the policy with the same seed (real openai client)', async () => {
    const { data, version } = await chat({ seed: 11, temperature: 0.9, top_p: 0.95, max_tokens: 12, logprobs: true, return_token_ids: true });
    const ref = await fx.refA.generate({ messages, seed: 11, sampling: { temperature: 0.9, topP: 0.95, maxNewTokens: 12 } });
    const choice = data.choices[0]!;
    expect(choice.token_ids).toEqual(ref.tokenIds);
    expect(data.prompt_token_ids).toEqual(ref.contextIds);
    const lps = choice.logprobs!.content!.map((c) => c.logprob);
    expect(lps).toHaveLength(ref.logprobs.length);
    lps.forEach((lp, i) => expect(lp).toBeCloseTo(ref.logprobs[i]!, 5));
    expect(choice.logprobs!.content![0]).toMatchObject({ token: fx.refA.tokenizer.decode([ref.tokenIds[0]!]), top_logprobs: [] });
    expect(choice.finish_reason).toBe(ref.finishReason);
    expect(data.usage).toEqual({ prompt_tokens: ref.contextIds.length, completion_tokens: ref.tokenIds.length, total_tokens: ref.contextIds.length + ref.tokenIds.length });
    expect(version).toBe('0');
    expect(data.model_version).toBe(0);
  });

  it("works as the backend of the project's own openai-compatible policy", async () => {
    const remote = createOpenAICompatiblePolicy({ baseURL: `${server.url}/v1`, model: 'tiny', apiKey: 'unused', returnTokenIds: true, maxRetries: 0 });
    for (const sampling of [{ temperature: 0.7, topP: 0.9, maxNewTokens: 10 }, { greedy: true, maxNewTokens: 8 }]) {
      const [http, local] = await Promise.all([remote.generate({ messages, seed: 5, sampling }), fx.refA.generate({ messages, seed: 5, sampling })]);
      expect(http.tokenIds).toEqual(local.tokenIds);
      expect(http.contextIds).toEqual(local.contextIds);
      http.logprobs.forEach((lp, i) => expect(lp).toBeCloseTo(local.logprobs[i]!, 5));
      expect(http.finishReason).toBe(local.finishReason);
    }
  });

  it('streams by SSE the same tokens, log-probs and text, with the version on every chunk', async () => {
    const body = { seed: 3, max_tokens: 15, logprobs: true, return_token_ids: true };
    const { data: whole } = await chat(body);
    const stream = await client.chat.completions.create({ model: 'tiny', messages, stream: true, stream_options: { include_usage: true }, ...body } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming);
    let text = '';
    const ids: number[] = [];
    const lps: number[] = [];
    let finish: string | null = null;
    let usage: unknown;
    let promptIds: unknown;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      const c = chunk as typeof chunk & { model_version: number; prompt_token_ids?: number[]; choices: Array<{ token_ids?: number[] }> };
      expect(c.model_version).toBe(0);
      promptIds ??= c.prompt_token_ids;
      if (chunk.usage) usage = chunk.usage;
      const choice = c.choices[0];
      if (!choice) continue;
      text += (choice as { delta: { content?: string } }).delta.content ?? '';
      ids.push(...(choice.token_ids ?? []));
      lps.push(...((choice as { logprobs?: { content?: Array<{ logprob: number }> } | null }).logprobs?.content?.map((x) => x.logprob) ?? []));
      finish = (choice as { finish_reason: string | null }).finish_reason ?? finish;
    }
    expect(chunks).toBeGreaterThan(ids.length); // one chunk per token at least, plus role and finish chunks
    expect(ids).toEqual(whole.choices[0]!.token_ids);
    expect(lps).toEqual(whole.choices[0]!.logprobs!.content!.map((c) => c.logprob));
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(promptIds).toEqual(whole.prompt_token_ids);
    expect(finish).toBe(whole.choices[0]!.finish_reason);
    expect(usage).toEqual(whole.usage);
  });

  it('n > 1: choice 0 is the n = 1 sample, the others are different samples', async () => {
    const { data: one } = await chat({ seed: 21, max_tokens: 10, return_token_ids: true });
    const { data: many } = await chat({ seed: 21, max_tokens: 10, n: 3, return_token_ids: true });
    expect(many.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(many.choices[0]!.token_ids).toEqual(one.choices[0]!.token_ids);
    expect(new Set(many.choices.map((c) => c.token_ids.join(','))).size).toBe(3);
    expect(many.usage!.completion_tokens).toBe(many.choices.reduce((a, c) => a + c.token_ids.length, 0));
  });

  it('honours stop strings and stop token ids like vLLM (finish_reason stop, stop_reason, text cut before the stop string)', async () => {
    const { data: free } = await chat({ temperature: 0, max_tokens: 20, return_token_ids: true, ignore_eos: true });
    const ids = free.choices[0]!.token_ids;
    const text = free.choices[0]!.message.content!;
    expect(ids.length).toBe(20);
    const stopId = ids[4]!;
    const { data: byId } = await chat({ temperature: 0, max_tokens: 20, return_token_ids: true, ignore_eos: true, stop_token_ids: [stopId] });
    const firstAt = ids.indexOf(stopId);
    expect(byId.choices[0]!.token_ids).toEqual(ids.slice(0, firstAt + 1));
    expect(byId.choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: stopId });
    const stop = text.slice(6, 8);
    const { data: byText } = await chat({ temperature: 0, max_tokens: 20, ignore_eos: true, stop: [stop] });
    expect(byText.choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: stop });
    expect(byText.choices[0]!.message.content).toBe(text.slice(0, text.indexOf(stop)));
  });
});

describe('mappa serve: completions', () => {
  it('takes token-id prompts (one and several) and returns the in-process tokens with completions-shaped log-probs', async () => {
    const p1 = [3, 40, 41, 42];
    const p2 = [5, 50, 51];
    const { data, response } = await client.completions
      .create({ model: 'tiny', prompt: [p1, p2] as unknown as string[], max_tokens: 6, seed: 9, logprobs: 0, return_token_ids: true } as unknown as OpenAI.Completions.CompletionCreateParamsNonStreaming)
      .withResponse();
    expect(response.headers.get('x-mappa-model-version')).toBe('0');
    const choices = data.choices as Array<OpenAI.Completions.CompletionChoice & { token_ids: number[]; prompt_token_ids: number[] }>;
    expect(choices.map((c) => c.index)).toEqual([0, 1]);
    for (const [i, prompt] of [p1, p2].entries()) {
      const ref = await fx.refA.generateFromIds({ contextIds: prompt, seed: 9, sampling: { maxNewTokens: 6 } });
      const c = choices[i]!;
      expect(c.prompt_token_ids).toEqual(prompt);
      expect(c.token_ids).toEqual(ref.tokenIds);
      c.logprobs!.token_logprobs!.forEach((lp, j) => expect(lp).toBeCloseTo(ref.logprobs[j]!, 5));
      expect(c.logprobs!.tokens).toEqual(ref.tokenIds.map((id) => fx.refA.tokenizer.decode([id])));
      expect(c.logprobs!.text_offset![0]).toBe(0);
      expect(c.logprobs!.top_logprobs).toHaveLength(ref.tokenIds.length);
    }
    expect(data.usage!.prompt_tokens).toBe(p1.length + p2.length);
  });

  it('streams completions: per-choice token ids, prompt ids on the first chunk, log-probs with running text offsets', async () => {
    const body = { model: 'tiny', prompt: [7, 60, 61, 62], max_tokens: 8, n: 2, seed: 13, logprobs: 0, return_token_ids: true };
    const whole = (await raw('/v1/completions', { body: JSON.stringify(body) })).body as { choices: Array<{ index: number; text: string; finish_reason: string; token_ids: number[]; logprobs: { text_offset: number[]; token_logprobs: number[] } }> };
    const sse = await (await fetch(`${server.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ ...body, stream: true }) })).text();
    const chunks = sse.split('\n\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)) as { object: string; choices: Array<{ index: number; text: string; token_ids?: number[]; prompt_token_ids?: number[]; finish_reason: string | null; logprobs: { text_offset: number[]; token_logprobs: number[] } | null }> });
    for (const w of whole.choices) {
      const mine = chunks.flatMap((c) => c.choices).filter((c) => c.index === w.index);
      expect(mine[0]!.prompt_token_ids).toEqual(body.prompt);
      expect(mine.flatMap((c) => c.token_ids ?? [])).toEqual(w.token_ids);
      expect(mine.map((c) => c.text).join('')).toBe(w.text);
      expect(mine.flatMap((c) => c.logprobs?.text_offset ?? [])).toEqual(w.logprobs.text_offset);
      expect(mine.flatMap((c) => c.logprobs?.token_logprobs ?? [])).toEqual(w.logprobs.token_logprobs);
      expect(mine.at(-1)!.finish_reason).toBe(w.finish_reason);
    }
    expect(chunks.every((c) => c.object === 'text_completion')).toBe(true);
  });

  it('takes text prompts and defaults max_tokens to 16', async () => {
    const data = await client.completions.create({ model: 'tiny', prompt: 'abc', seed: 1, ignore_eos: true } as unknown as OpenAI.Completions.CompletionCreateParamsNonStreaming);
    expect(data.usage!.completion_tokens).toBe(16);
    expect(data.choices[0]!.finish_reason).toBe('length');
  });
});

describe('mappa serve: errors are OpenAI-shaped 4xx, never a crash', () => {
  it('unknown model → 404, through the openai client', async () => {
    const err = await client.chat.completions.create({ model: 'nope', messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({ type: 'not_found_error', param: 'model', code: 'model_not_found' });
  });

  it('context too long, bad token ids, bad fields, malformed JSON → 400; unknown route → 404', async () => {
    const long = await raw('/v1/completions', { body: JSON.stringify({ model: 'tiny', prompt: Array.from({ length: MAX_CONTEXT }, () => 40) }) });
    expect(long.status).toBe(400);
    expect(long.body.error).toMatchObject({ code: 'context_length_exceeded', type: 'invalid_request_error', param: 'prompt' });
    const over = await raw('/v1/completions', { body: JSON.stringify({ model: 'tiny', prompt: [40, 41], max_tokens: MAX_CONTEXT }) });
    expect(over.body.error).toMatchObject({ code: 'context_length_exceeded', param: 'max_tokens' });
    const badIds = await raw('/v1/completions', { body: JSON.stringify({ model: 'tiny', prompt: [1, 2, 99999] }) });
    expect(badIds.status).toBe(400);
    expect(badIds.body.error).toMatchObject({ code: 'invalid_token_id', param: 'prompt' });
    const negative = await raw('/v1/completions', { body: JSON.stringify({ model: 'tiny', prompt: [[1], [-1]] }) });
    expect(negative.body.error).toMatchObject({ code: 'invalid_token_id', param: 'prompt[1]' });
    const badField = await raw('/v1/chat/completions', { body: JSON.stringify({ model: 'tiny', messages, temperature: -1 }) });
    expect(badField.status).toBe(400);
    expect(badField.body.error.param).toBe('temperature');
    const unsupported = await raw('/v1/chat/completions', { body: JSON.stringify({ model: 'tiny', messages, top_logprobs: 5, logprobs: true }) });
    expect(unsupported.body.error).toMatchObject({ param: 'top_logprobs', code: 'unsupported_parameter' });
    const malformed = await raw('/v1/chat/completions', { body: '{"model": "tiny", ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json', param: null });
    const route = await raw('/v1/embeddings', { body: '{}' });
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('unknown_route');
    // …and the server still answers.
    expect((await client.models.list()).data.map((m) => m.id)).toContain('tiny');
  });

  it('an API key, when configured, is required on /v1 routes', async () => {
    const locked = await createOpenAIServer({ models: [{ name: 'tiny', path: fx.a }], port: 0, apiKey: 'sk-test-serve-key-123456' });
    try {
      const denied = await fetch(`${locked.url}/v1/models`);
      expect(denied.status).toBe(401);
      expect(((await denied.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
      const ok = new OpenAI({ baseURL: `${locked.url}/v1`, apiKey: 'sk-test-serve-key-123456', maxRetries: 0 });
      expect((await ok.models.list()).data[0]!.id).toBe('tiny');
      expect((await fetch(`${locked.url}/health`)).status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});

describe('mappa serve: a client that hangs up', () => {
  it('aborts its generation and leaves the server serving', async () => {
    let entered!: (signal: AbortSignal | undefined) => void;
    let release!: () => void;
    const inFlight = new Promise<AbortSignal | undefined>((r) => (entered = r));
    hold = { entered, release: new Promise<void>((r) => (release = r)) };
    const controller = new AbortController();
    const request = fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages, stream: true, max_tokens: 50, ignore_eos: true }),
      signal: controller.signal,
    }).then((res) => res.text());
    const signal = await inFlight;
    controller.abort();
    await expect(request).rejects.toThrow();
    for (let i = 0; i < 100 && !signal?.aborted; i++) await new Promise((r) => setTimeout(r, 10));
    expect(signal?.aborted).toBe(true);
    release();
    const { data } = await chat({ seed: 1, max_tokens: 3 });
    expect(data.choices[0]!.finish_reason).toBe('length');
  });
});

describe('mappa serve: weight reload with versions (vLLM runtime LoRA endpoints)', () => {
  it('reloads in place while a request is in flight: it finishes on the old weights and version, new requests get the new ones', async () => {
    const refOld = await fx.refA.generate({ messages, seed: 4, sampling: { maxNewTokens: 30 } });
    const refNew = await fx.refB.generate({ messages, seed: 4, sampling: { maxNewTokens: 30 } });
    let entered!: () => void;
    let release!: () => void;
    const inFlight = new Promise<void>((r) => (entered = () => r()));
    hold = { entered, release: new Promise<void>((r) => (release = r)) };
    const old = chat({ seed: 4, max_tokens: 30, return_token_ids: true });
    await inFlight; // the request holds version 0 and is about to generate
    const load = await raw('/v1/load_lora_adapter', { body: JSON.stringify({ lora_name: 'tiny', lora_path: fx.b, load_inplace: true }) });
    expect(load.status).toBe(200);
    expect(load.text).toBe("Success: LoRA adapter 'tiny' added successfully.");
    expect(load.headers.get('x-mappa-model-version')).toBe('1');
    const fresh = await chat({ seed: 4, max_tokens: 30, return_token_ids: true });
    expect(fresh.version).toBe('1');
    expect(fresh.data.model_version).toBe(1);
    expect(fresh.data.choices[0]!.token_ids).toEqual(refNew.tokenIds);
    expect(disposed).not.toContain(fx.a); // still in use by the old request
    release();
    const done = await old;
    expect(done.version).toBe('0');
    expect(done.data.model_version).toBe(0);
    expect(done.data.choices[0]!.token_ids).toEqual(refOld.tokenIds);
    expect(refOld.tokenIds).not.toEqual(refNew.tokenIds);
    await new Promise((r) => setTimeout(r, 20));
    expect(disposed).toEqual([fx.a]); // disposed once its last request ended
    const models = (await client.models.list()).data as Array<{ id: string; model_version?: number }>;
    expect(models.find((m) => m.id === 'tiny')?.model_version).toBe(1);
  });

  it('streams across a reload: every chunk of a stream carries the version it started on', async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages, stream: true, seed: 2, max_tokens: 20, return_token_ids: true }),
    });
    const version = Number(res.headers.get('x-mappa-model-version'));
    const sse = await res.text();
    const chunks = sse.split('\n\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)) as { model_version: number });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((c) => c.model_version === version)).toBe(true);
    expect(sse.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('follows vLLM: an existing name needs load_inplace; new names start at 0 or at the given version; unload; bad paths', async () => {
    const again = await raw('/v1/load_lora_adapter', { body: JSON.stringify({ lora_name: 'tiny', lora_path: fx.b }) });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('already_loaded');
    const added = await raw('/v1/load_lora_adapter', { body: JSON.stringify({ lora_name: 'second', lora_path: fx.a, version: 7 }) });
    expect(added.status).toBe(200);
    expect(added.headers.get('x-mappa-model-version')).toBe('7');
    const bumped = await raw('/v1/load_lora_adapter', { body: JSON.stringify({ lora_name: 'second', lora_path: fx.a, load_inplace: true }) });
    expect(bumped.headers.get('x-mappa-model-version')).toBe('8');
    expect((await chat({ model: 'second', max_tokens: 2 })).version).toBe('8');
    const unload = await raw('/v1/unload_lora_adapter', { body: JSON.stringify({ lora_name: 'second' }) });
    expect(unload.status).toBe(200);
    expect((await raw('/v1/chat/completions', { body: JSON.stringify({ model: 'second', messages }) })).status).toBe(404);
    expect((await raw('/v1/unload_lora_adapter', { body: JSON.stringify({ lora_name: 'second' }) })).status).toBe(404);
    const missing = await raw('/v1/load_lora_adapter', { body: JSON.stringify({ lora_name: 'x', lora_path: join(fx.dir, 'nowhere') }) });
    expect(missing.body.error).toMatchObject({ param: 'lora_path', code: 'invalid_path' });
    const adapter = join(fx.dir, 'adapter');
    await mkdir(adapter, { recursive: true });
    await writeFile(join(adapter, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 8, base_model_name_or_path: 'tiny' }));
    const lora = await raw('/v1/load_lora_adapter', { body: JSON.stringify({ lora_name: 'lora', lora_path: adapter }) });
    expect(lora.status).toBe(400);
    expect(lora.body.error.code).toBe('invalid_adapter'); // no adapter_model.safetensors: the PEFT loader says so
    const broken = join(fx.dir, 'broken');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, 'config.json'), '{"model_type": "gpt2"}');
    const bad = await raw('/v1/load_lora_adapter', { body: JSON.stringify({ lora_name: 'broken', lora_path: broken }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('load_failed');
  });
});

describe('mappa serve: the AdapterLoader seam', () => {
  it('hands PEFT adapter directories to the configured loader and serves what it returns', async () => {
    const calls: Array<{ name: string; path: string; baseModelName: string | undefined; hasBase: boolean }> = [];
    const withAdapters = await createOpenAIServer({
      models: [{ name: 'base', path: fx.a }],
      port: 0,
      adapterLoader: {
        load: async (r) => {
          calls.push({ name: r.name, path: r.path, baseModelName: r.baseModelName, hasBase: r.servedModel(r.baseModelName ?? '') !== undefined });
          // Stands in for base + adapter: any servable model.
          return createTfjsTransformerPolicy({ path: fx.b, id: r.name });
        },
      },
    });
    try {
      const adapter = join(fx.dir, 'adapter-seam');
      await mkdir(adapter, { recursive: true });
      await writeFile(join(adapter, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 8, base_model_name_or_path: 'base' }));
      const res = await fetch(`${withAdapters.url}/v1/load_lora_adapter`, { method: 'POST', body: JSON.stringify({ lora_name: 'tuned', lora_path: adapter, version: 3 }) });
      expect(res.status).toBe(200);
      expect(calls).toEqual([{ name: 'tuned', path: adapter, baseModelName: 'base', hasBase: true }]);
      const local = new OpenAI({ baseURL: `${withAdapters.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const models = (await local.models.list()).data as Array<{ id: string; model_version?: number }>;
      expect(models.map((m) => [m.id, m.model_version])).toEqual([['base', 0], ['tuned', 3]]);
      const r = (await local.chat.completions.create({ model: 'tuned', messages, seed: 4, max_tokens: 8, return_token_ids: true } as never)) as unknown as VllmChat;
      const ref = await fx.refB.generate({ messages, seed: 4, sampling: { maxNewTokens: 8 } });
      expect(r.choices[0]!.token_ids).toEqual(ref.tokenIds);
      expect(r.model_version).toBe(3);
    } finally {
      await withAdapters.close();
    }
  });
});

describe('mappa serve: Hugging Face checkpoints (hf-tiny fixtures)', () => {
  it('serves llama / qwen2 / qwen3 checkpoints with their own chat templates, equal to in-process generation', async () => {
    const names = ['llama-tiny', 'qwen2-tiny-float16', 'qwen3-tiny-bfloat16'];
    const hf = await createOpenAIServer({ models: names.map((n) => ({ name: n, path: join(hfTinyDir(), n) })), port: 0 });
    try {
      const remote = new OpenAI({ baseURL: `${hf.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      for (const name of names) {
        const ref = await createTfjsTransformerPolicy({ path: join(hfTinyDir(), name) });
        try {
          const expected = await ref.generate({ messages, seed: 8, sampling: { temperature: 0.8, maxNewTokens: 10 } });
          const got = (await remote.chat.completions.create({ model: name, messages, seed: 8, temperature: 0.8, max_tokens: 10, logprobs: true, return_token_ids: true } as never)) as unknown as VllmChat;
          expect(got.prompt_token_ids, name).toEqual(expected.contextIds);
          expect(got.choices[0]!.token_ids, name).toEqual(expected.tokenIds);
          got.choices[0]!.logprobs!.content!.forEach((c, i) => expect(c.logprob).toBeCloseTo(expected.logprobs[i]!, 5));
        } finally {
          ref.dispose();
        }
      }
    } finally {
      await hf.close();
    }
  });
});
