import { randomUUID } from 'node:crypto';
import type { Message } from '../../core/model/Message.js';
import type { ChoiceDelta } from './generateChoices.js';
import { generateChoices } from './generateChoices.js';
import { badRequest } from './HttpError.js';
import type { ModelRegistry } from './ModelRegistry.js';
import { VERSION_HEADER } from './Reply.js';
import type { Reply } from './Reply.js';
import type { ChatRequest } from './requestSchemas.js';
import { requestSettings } from './requestSettings.js';
import { chatLogprobs } from './tokenLogprobs.js';

function toMessages(r: ChatRequest): Message[] {
  return r.messages.map((m, i) => {
    let content = '';
    if (typeof m.content === 'string') content = m.content;
    else if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (part.type !== 'text' || typeof part.text !== 'string') {
          throw badRequest(`messages[${i}].content: only text parts are supported (got type "${part.type}")`, `messages[${i}].content`);
        }
        content += part.text;
      }
    }
    return { role: m.role === 'developer' ? 'system' : m.role, content };
  });
}

/** POST /v1/chat/completions: the model's chat template renders the messages; n choices; SSE when `stream`. */
export async function chatCompletion(r: ChatRequest, registry: ModelRegistry, reply: Reply, signal: AbortSignal): Promise<void> {
  if (r.tools && r.tools.length > 0) throw badRequest('`tools` is not supported by mappa serve (write tool calls in the text, as mappa agents do)', 'tools', 'unsupported_parameter');
  if (r.response_format != null) throw badRequest('`response_format` is not supported by mappa serve', 'response_format', 'unsupported_parameter');
  if (r.continue_final_message || r.add_generation_prompt === false) {
    throw badRequest('only add_generation_prompt: true (the default) is supported by mappa serve', 'add_generation_prompt', 'unsupported_parameter');
  }
  if ((r.top_logprobs ?? 0) > 0) {
    throw badRequest('top_logprobs > 0 is not supported by mappa serve: it returns the log-prob of each sampled token only (top_logprobs: 0)', 'top_logprobs', 'unsupported_parameter');
  }
  const lease = registry.acquire(r.model);
  try {
    const { model, version } = lease.served;
    let contextIds: number[];
    try {
      contextIds = model.contextIds(toMessages(r));
    } catch (err) {
      throw badRequest(`the chat template cannot render these messages: ${(err as Error).message}`, 'messages');
    }
    if (contextIds.length === 0) throw badRequest('the chat template rendered an empty prompt', 'messages');
    const settings = requestSettings(r, model, r.max_tokens ?? r.max_completion_tokens, contextIds.length);
    const wantLogprobs = r.logprobs === true;
    const asIds = r.return_tokens_as_token_ids === true;
    const withIds = r.return_token_ids === true;
    const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
    const created = Math.floor(Date.now() / 1000);
    const head = { id, created, model: r.model, model_version: version };
    const headers = { [VERSION_HEADER]: String(version) };

    if (r.stream) {
      reply.startStream(headers);
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => reply.send({ ...head, object: 'chat.completion.chunk', choices, ...extra });
      for (let i = 0; i < settings.n; i++) {
        chunk([{ index: i, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], i === 0 && withIds ? { prompt_token_ids: contextIds } : {});
      }
      const onDelta = (d: ChoiceDelta) =>
        chunk([
          {
            index: d.index,
            delta: { content: d.text },
            logprobs: wantLogprobs && d.tokenIds.length > 0 ? chatLogprobs(model, d.tokenIds, d.logprobs, asIds) : null,
            finish_reason: null,
            ...(withIds ? { token_ids: d.tokenIds } : {}),
          },
        ]);
      const results = await generateChoices({ model, contextIds, settings, signal, onDelta });
      for (const c of results) chunk([{ index: c.index, delta: {}, logprobs: null, finish_reason: c.finishReason, stop_reason: c.stopReason }]);
      if (r.stream_options?.include_usage) chunk([], { usage: usage(contextIds.length, results) });
      reply.endStream();
      return;
    }

    const results = await generateChoices({ model, contextIds, settings, signal });
    reply.json(
      200,
      {
        ...head,
        object: 'chat.completion',
        choices: results.map((c) => ({
          index: c.index,
          message: { role: 'assistant', content: c.text },
          logprobs: wantLogprobs ? chatLogprobs(model, c.tokenIds, c.logprobs, asIds) : null,
          finish_reason: c.finishReason,
          stop_reason: c.stopReason,
          ...(withIds ? { token_ids: c.tokenIds } : {}),
        })),
        ...(withIds ? { prompt_token_ids: contextIds } : {}),
        usage: usage(contextIds.length, results),
      },
      headers,
    );
  } finally {
    lease.release();
  }
}

export function usage(promptTokens: number, results: ReadonlyArray<{ tokenIds: readonly number[] }>) {
  const completion = results.reduce((a, c) => a + c.tokenIds.length, 0);
  return { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
}
