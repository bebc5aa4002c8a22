import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAICompatiblePolicy, createOpenAICompatiblePolicy } from '../../plugins/policies/openai-compatible/OpenAICompatiblePolicy.js';
import { MappaError } from '../../core/util/MappaError.js';
import { createScriptedPolicy } from '../../plugins/policies/scripted/scriptedPolicyPlugin.js';
import { describePolicyConformance } from '../conformance/policyConformance.js';
import { chatCompletion, startFakeServer, type FakeServer } from '../fakes/fakeOpenAIServer.js';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer((req) => {
    const last = req.body.messages.at(-1).content as string;
    const text = `echo:${last.slice(0, 20)}:${req.body.seed}`;
    return { body: chatCompletion(text, { logprobs: [-0.1, -0.2, -0.3], tokenIds: [11, 12, 13], promptTokenIds: [1, 2, 3, 4] }) };
  });
});
afterAll(async () => server.close());

const policy = (extra: Partial<ConstructorParameters<typeof OpenAICompatiblePolicy>[0]> = {}) =>
  new OpenAICompatiblePolicy({ id: 'remote', baseURL: `${server.url}/v1`, model: 'fake-model', apiKey: 'sk-test-secret-abcdef123', maxRetries: 0, returnTokenIds: true, ...extra });

describePolicyConformance('openai-compatible', { create: async () => policy(), deterministic: true, exposesTokens: true });
describePolicyConformance('scripted', { create: async () => createScriptedPolicy({ replies: ['first', 'second'] }), deterministic: true, exposesTokens: true });

describe('openai-compatible policy (real openai client, loopback fake server)', () => {
  it('sends the conversation, sampling and seed, and records log-probs and vLLM token ids', async () => {
    server.setHandler((req) => ({ body: chatCompletion('ok', { logprobs: [-0.5, -0.25], tokenIds: [7, 8], promptTokenIds: [1, 2, 3] }) }));
    const g = await policy().generate({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'code', tokenIds: [5] },
        { role: 'tool', content: '<tool_response>3</tool_response>' },
      ],
      seed: 42,
      sampling: { temperature: 0.7, topP: 0.9, maxNewTokens: 16, stopStrings: ['END'] },
    });
    const body = server.requests.at(-1)!.body;
    expect(body).toMatchObject({ model: 'fake-model', temperature: 0.7, top_p: 0.9, max_tokens: 16, stop: ['END'], seed: 42, logprobs: true, return_token_ids: true });
    // Tool responses go as user turns: servers reject `tool` messages without tool-call ids.
    expect(body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer sk-test-secret-abcdef123');
    expect(g).toMatchObject({ text: 'ok', logprobs: [-0.5, -0.25], tokenIds: [7, 8], contextIds: [1, 2, 3], finishReason: 'stop', policyVersion: 0 });
  });

  it('maps greedy to temperature 0 and reports length cut-offs', async () => {
    server.setHandler(() => ({ body: chatCompletion('partial', { finish: 'length' }) }));
    const g = await policy().generate({ messages: [{ role: 'user', content: 'x' }], seed: 1, sampling: { greedy: true, temperature: 0.9 } });
    expect(server.requests.at(-1)!.body.temperature).toBe(0);
    expect(g.finishReason).toBe('length');
    expect(g.logprobs).toEqual([]);
  });

  it('drops log-probs once when the server rejects them, and counts it', async () => {
    server.setHandler((req) =>
      req.body.logprobs ? { status: 400, body: { error: { message: 'logprobs are not supported by this model', type: 'invalid_request_error' } } } : { body: chatCompletion('fine') },
    );
    const p = policy();
    const a = await p.generate({ messages: [{ role: 'user', content: 'x' }], seed: 1 });
    const b = await p.generate({ messages: [{ role: 'user', content: 'y' }], seed: 2 });
    expect([a.text, b.text]).toEqual(['fine', 'fine']);
    expect(p.stats()).toEqual({ calls: 2, logprobs_dropped: 1, version_unreported: 2, retries: 0, rate_limited: 0, timeouts: 0, api_errors: 1 });
    expect(server.requests.at(-1)!.body.logprobs).toBeUndefined();
  });

  it('fails with a message that names the server and hides the key', async () => {
    server.setHandler(() => ({ status: 401, body: { error: { message: 'Incorrect API key provided: sk-test-secret-abcdef123' } } }));
    const err = await policy().generate({ messages: [{ role: 'user', content: 'x' }], seed: 1 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(`${server.url}/v1`);
    expect((err as Error).message).not.toContain('sk-test-secret-abcdef123');
  });

  // Retries, Retry-After, timeouts and limits are the shared LLM caller's (test/llm/llmCaller.test.ts); this checks the
  // policy is wired to it, streamed or not.
  it.each([false, true])('uses the shared LLM caller (stream: %s): retries a 429 and a 500, counts them, and fails with a hint', async (stream) => {
    let n = 0;
    server.setHandler(() => {
      n++;
      if (n === 1) return { status: 429, headers: { 'retry-after-ms': '20' }, body: { error: { message: 'slow down' } } };
      if (n === 2) return { status: 500, body: { error: { message: 'internal' } } };
      if (!stream) return { body: chatCompletion('third time lucky') };
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({ id: 's', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      return { headers: { 'content-type': 'text/event-stream' }, body: `${chunk({ content: 'third time' }, null)}${chunk({ content: ' lucky' }, 'stop')}data: [DONE]\n\n` };
    });
    const fast = { retries: 3, minDelayMs: 1, maxDelayMs: 5, factor: 2, jitter: 0, maxTotalMs: 10_000 };
    const p = policy({ maxRetries: undefined, retry: fast, stream });
    const g = await p.generate({ messages: [{ role: 'user', content: 'x' }], seed: 1 });
    expect(g.text).toBe('third time lucky');
    expect(p.stats()).toMatchObject({ calls: 1, retries: 2, rate_limited: 1, api_errors: 2, timeouts: 0 });

    server.setHandler(() => ({ status: 404, body: { error: { message: 'model not found' } } }));
    const err = await policy({ path: 'policies.remote' }).generate({ messages: [{ role: 'user', content: 'x' }], seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappaError);
    expect((err as MappaError).message).toBe(`policy remote: request to ${server.url}/v1 failed: openai: HTTP 404: 404 model not found`);
    expect((err as MappaError).hint).toMatch(/check policies\.remote\.baseURL .* serves model "fake-model"/);
  });

  it('needs no key for loopback servers but demands one for remote ones', () => {
    delete process.env['MAPPA_TEST_KEY'];
    expect(() => createOpenAICompatiblePolicy({ baseURL: `${server.url}/v1`, model: 'm', apiKeyEnv: 'MAPPA_TEST_KEY' })).not.toThrow();
    expect(() => createOpenAICompatiblePolicy({ baseURL: 'https://api.example.invalid/v1', model: 'm', apiKeyEnv: 'MAPPA_TEST_KEY' })).toThrow(
      /environment variable MAPPA_TEST_KEY is not set/,
    );
  });
});

describe('scripted policy', () => {
  it('replies by turn index and by rule', async () => {
    const p = createScriptedPolicy({ replies: ['a', 'b'], rules: [{ match: 'error', reply: 'fix' }] });
    expect((await p.generate({ messages: [{ role: 'user', content: 'go' }], seed: 0 })).text).toBe('a');
    const two = await p.generate({ messages: [{ role: 'user', content: 'go' }, { role: 'assistant', content: 'a' }, { role: 'user', content: 'ok' }], seed: 0 });
    expect(two.text).toBe('b');
    expect((await p.generate({ messages: [{ role: 'user', content: 'an error happened' }], seed: 0 })).text).toBe('fix');
  });
});
