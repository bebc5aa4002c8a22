import type { FakeHandler, FakeReply, FakeRequest } from './fakeOpenAIServer.js';
import { chatCompletion } from './fakeOpenAIServer.js';

export type FakeProvider = 'openai' | 'anthropic' | 'gemini';

/** An Anthropic Messages API response body. */
export function anthropicMessage(text: string, usage: { input_tokens?: number; output_tokens?: number } = {}): Record<string, unknown> {
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: 'fake-claude',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.input_tokens ?? 10, output_tokens: usage.output_tokens ?? 5 },
  };
}

/** A Gemini `generateContent` response body; `thought` adds a thinking part that must not be parsed. */
export function geminiResponse(text: string, o: { promptTokens?: number; outputTokens?: number; thought?: string } = {}): Record<string, unknown> {
  return {
    candidates: [
      {
        content: { role: 'model', parts: [...(o.thought ? [{ text: o.thought, thought: true }] : []), { text }] },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata: {
      promptTokenCount: o.promptTokens ?? 10,
      candidatesTokenCount: o.outputTokens ?? 5,
      totalTokenCount: (o.promptTokens ?? 10) + (o.outputTokens ?? 5),
    },
    modelVersion: 'fake-gemini',
  };
}

/** A successful reply carrying `text` in the provider's wire format. */
export function providerReply(provider: FakeProvider, text: string, usage: { input: number; output: number } = { input: 10, output: 5 }): FakeReply {
  if (provider === 'anthropic') return { body: anthropicMessage(text, { input_tokens: usage.input, output_tokens: usage.output }) };
  if (provider === 'gemini') return { body: geminiResponse(text, { promptTokens: usage.input, outputTokens: usage.output }) };
  return { body: chatCompletion(text, { usage: { prompt_tokens: usage.input, completion_tokens: usage.output } }) };
}

/** An error reply in the provider's wire format. */
export function providerError(provider: FakeProvider, status: number, message: string, headers: Record<string, string> = {}): FakeReply {
  if (provider === 'anthropic') return { status, headers, body: { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } } };
  if (provider === 'gemini') return { status, headers, body: { error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL' } } };
  return { status, headers, body: { error: { message, type: 'server_error', code: null } } };
}

/** Every message text of a request, whatever the wire format (system prompts included). */
export function requestTexts(req: FakeRequest): string[] {
  const body = req.body as Record<string, any> | undefined;
  if (!body) return [];
  if (Array.isArray(body['contents'])) {
    return (body['contents'] as Array<{ parts?: Array<{ text?: string }> }>).flatMap((c) => (c.parts ?? []).map((p) => p.text ?? ''));
  }
  if (Array.isArray(body['messages'])) {
    return (body['messages'] as Array<{ content: unknown }>).map((m) =>
      typeof m.content === 'string' ? m.content : Array.isArray(m.content) ? m.content.map((p: { text?: string }) => p.text ?? '').join('') : '',
    );
  }
  return [];
}

/** A handler that answers the i-th request with `replies[i]` (the last one repeats). */
export function scripted(replies: ReadonlyArray<FakeReply | ((req: FakeRequest) => FakeReply)>): FakeHandler {
  return (req, index) => {
    const r = replies[Math.min(index, replies.length - 1)]!;
    return typeof r === 'function' ? r(req) : r;
  };
}
