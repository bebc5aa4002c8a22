import type { ServerResponse } from 'node:http';

export const VERSION_HEADER = 'x-mappa-model-version';

/** Answers one HTTP request: a JSON body, plain text, or a server-sent-events stream. */
export class Reply {
  #streaming = false;

  constructor(readonly res: ServerResponse) {}

  get started(): boolean {
    return this.res.headersSent;
  }

  get streaming(): boolean {
    return this.#streaming;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    this.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    this.res.end(text);
  }

  text(status: number, text: string, headers: Record<string, string> = {}): void {
    this.res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    this.res.end(text);
  }

  startStream(headers: Record<string, string>): void {
    this.#streaming = true;
    this.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
    this.res.flushHeaders();
  }

  send(data: unknown): void {
    if (!this.res.writableEnded) this.res.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  endStream(): void {
    if (this.res.writableEnded) return;
    this.res.write('data: [DONE]\n\n');
    this.res.end();
  }
}
