import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: any;
}

export interface FakeReply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Delay before answering (ms). */
  readonly delayMs?: number;
  /** Never answer (to test client timeouts); the socket is closed when the server stops. */
  readonly hang?: boolean;
}

export type FakeHandler = (req: FakeRequest, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeServer {
  readonly url: string;
  readonly requests: FakeRequest[];
  /** Highest number of requests in flight at once. */
  readonly maxConcurrent: () => number;
  setHandler(handler: FakeHandler): void;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server for provider wire protocols (OpenAI chat completions by default). Tests drive it with the
 * real client libraries; the handler decides each reply. Listens on 127.0.0.1 only.
 */
export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  let current = handler;
  const requests: FakeRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* keep text */
      }
      const fr: FakeRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
      requests.push(fr);
      const reply = await current(fr, requests.length - 1);
      if (reply.hang) return;
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {}));
    } finally {
      inFlight--;
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxConcurrent: () => maxInFlight,
    setHandler: (h) => (current = h),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A chat-completions response body in OpenAI's wire format. */
export function chatCompletion(
  content: string,
  extras: { finish?: 'stop' | 'length'; logprobs?: number[]; tokenIds?: number[]; promptTokenIds?: number[]; model?: string; usage?: { prompt_tokens: number; completion_tokens: number } } = {},
): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1,
    model: extras.model ?? 'fake-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content },
        finish_reason: extras.finish ?? 'stop',
        logprobs: extras.logprobs ? { content: extras.logprobs.map((lp, i) => ({ token: `t${i}`, logprob: lp, bytes: null, top_logprobs: [] })) } : null,
        ...(extras.tokenIds ? { token_ids: extras.tokenIds } : {}),
      },
    ],
    ...(extras.promptTokenIds ? { prompt_token_ids: extras.promptTokenIds } : {}),
    usage: { ...(extras.usage ?? { prompt_tokens: 10, completion_tokens: 5 }), total_tokens: 15 },
  };
}
