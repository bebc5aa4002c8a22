// PEFT LoRA adapters served on a base `mappa serve` already serves (vLLM's runtime LoRA protocol), generating exactly
// what the adapter policy generates in-process, and the base protected while adapters run on it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { TfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';
import { createOpenAIServer, type OpenAIServer } from '../../plugins/serving/createOpenAIServer.js';

type VllmChat = { model_version?: number; choices: Array<{ token_ids?: number[]; logprobs?: { content: Array<{ logprob: number }> } }> };

let dir: string;
let base: string;
let adapterDir: string;
let lora: TfjsTransformerPolicy;
let server: OpenAIServer;
const messages = [{ role: 'user' as const, content: 'add 2 and 3' }];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mappa-serve-lora-'));
  base = join(dir, 'base');
  adapterDir = join(dir, 'adapter');
  const p = await createTfjsTransformerPolicy({ preset: 'tiny', tokenizer: 'char', seed: 1, maxContextLength: 128 });
  await p.save(base, { exact: true });
  p.dispose();
  lora = await createTfjsTransformerPolicy({ path: base, lora: { r: 4, alpha: 8, seed: 3 } });
  // A zero B would make the adapter a no-op: give it weights so that it changes what the model generates.
  let i = 0;
  for (const [name, v] of lora.variables()) {
    if (name.endsWith('lora_B.weight')) tf.tidy(() => (v as tf.Variable).assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 20 + i++)));
  }
  lora.markUpdated();
  await lora.save(adapterDir);
  server = await createOpenAIServer({ models: [{ name: 'base', path: base }], port: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  lora?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    text: await r.text(),
  }));

describe('mappa serve: PEFT LoRA adapters', () => {
  it('loads an adapter on the served base and generates what the adapter policy generates in-process', async () => {
    const loaded = await post('/v1/load_lora_adapter', { lora_name: 'solver', lora_path: adapterDir, version: 5 });
    expect(loaded.status, loaded.text).toBe(200);
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const models = (await client.models.list()).data.map((m) => m.id);
    expect(models).toEqual(['base', 'solver']);
    const ask = (model: string) =>
      client.chat.completions.create({ model, messages, seed: 4, max_tokens: 12, logprobs: true, return_token_ids: true } as never) as unknown as Promise<VllmChat>;
    const [viaAdapter, viaBase] = [await ask('solver'), await ask('base')];
    const ref = await lora.generate({ messages, seed: 4, sampling: { maxNewTokens: 12 } });
    expect(viaAdapter.choices[0]!.token_ids).toEqual(ref.tokenIds);
    const lps = viaAdapter.choices[0]!.logprobs!.content.map((c) => c.logprob);
    lps.forEach((lp, j) => expect(lp).toBeCloseTo(ref.logprobs[j]!, 5));
    expect(viaAdapter.model_version).toBe(5);
    // The adapter changes the model: the bare base generates something else from the same seed.
    expect(viaBase.choices[0]!.token_ids).not.toEqual(viaAdapter.choices[0]!.token_ids);
  });

  it('refuses to replace or unload a base while adapters run on it, and allows it once they are unloaded', async () => {
    const replace = await post('/v1/load_lora_adapter', { lora_name: 'base', lora_path: base, load_inplace: true });
    expect(replace.status).toBe(400);
    expect(replace.text).toContain('base_in_use');
    const unloadBase = await post('/v1/unload_lora_adapter', { lora_name: 'base' });
    expect(unloadBase.status).toBe(400);
    expect((await post('/v1/unload_lora_adapter', { lora_name: 'solver' })).status).toBe(200);
    const again = await post('/v1/load_lora_adapter', { lora_name: 'base', lora_path: base, load_inplace: true });
    expect(again.status, again.text).toBe(200);
  });

  it('names the served models when the adapter\'s base is not one of them', async () => {
    const two = await createOpenAIServer({ models: [{ name: 'a', path: base }, { name: 'b', path: base }], port: 0 });
    try {
      const r = await fetch(`${two.url}/v1/load_lora_adapter`, { method: 'POST', body: JSON.stringify({ lora_name: 'x', lora_path: adapterDir }) });
      expect(r.status).toBe(400);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unknown_base_model');
      expect(body.error.message).toContain('served: a, b');
    } finally {
      await two.close();
    }
  });
});
