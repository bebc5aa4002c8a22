import { startFakeServer, type FakeServer } from './fakeOpenAIServer.js';

export interface FakeServing extends FakeServer {
  /** Served version per model name (0 until a load). */
  readonly versions: Map<string, number>;
  /** Bodies of the load_lora_adapter requests, in order. */
  readonly loads: Array<{ lora_name: string; lora_path: string; load_inplace: boolean; version?: number }>;
  /** Make the next loads fail with this HTTP status (0 = succeed). */
  failLoads(status: number): void;
}

/**
 * A loopback server speaking what `mappa serve` and vLLM speak for training: chat completions with token ids
 * (`return_token_ids`), log-probs and mappa's `model_version` (body and `x-mappa-model-version` header), and vLLM's
 * `POST /v1/load_lora_adapter {lora_name, lora_path, load_inplace}` plus mappa's `version`. Completions are fixed
 * text ("answer 3"), so tests exercise the protocol, not a model.
 */
export async function startFakeServing(options: { reportVersion?: boolean } = {}): Promise<FakeServing> {
  const versions = new Map<string, number>();
  const loads: FakeServing['loads'] = [];
  let failStatus = 0;
  const server = await startFakeServer((req) => {
    if (req.method === 'POST' && req.path === '/v1/load_lora_adapter') {
      if (failStatus) return { status: failStatus, body: { error: { message: 'cannot load adapter (fake)' } } };
      loads.push(req.body);
      versions.set(req.body.lora_name, typeof req.body.version === 'number' ? req.body.version : (versions.get(req.body.lora_name) ?? 0) + 1);
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: `Success: LoRA adapter '${req.body.lora_name}' added successfully` };
    }
    if (req.method === 'POST' && req.path === '/v1/chat/completions') {
      const model = String(req.body.model);
      const version = versions.get(model) ?? 0;
      const report = options.reportVersion !== false;
      return {
        headers: report ? { 'x-mappa-model-version': String(version) } : {},
        body: {
          id: 'c1',
          object: 'chat.completion',
          created: 0,
          model,
          prompt_token_ids: [1, 2, 3, 4],
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: 'answer 3' },
              finish_reason: 'stop',
              token_ids: [7, 8, 9],
              logprobs: { content: [{ token: 'a', logprob: -0.5 }, { token: 'b', logprob: -0.25 }, { token: 'c', logprob: -0.125 }] },
            },
          ],
          usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
          ...(report ? { model_version: version } : {}),
        },
      };
    }
    return { status: 404, body: { error: { message: `no route ${req.method} ${req.path}` } } };
  });
  return Object.assign(server, { versions, loads, failLoads: (s: number) => (failStatus = s) });
}
