import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RunningHttpServer {
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting connections, calls `onClosing` (abort what is in flight), waits for every handler to settle, then
   * drops the remaining sockets. Idempotent.
   */
  stop(onClosing?: () => void): Promise<void>;
}

/**
 * A node:http server around one async handler, bound to `host` (loopback by default), that can be stopped without
 * leaving a request or socket behind (tests start and stop many).
 */
export async function startHttpServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  o: { readonly host?: string | undefined; readonly port: number },
): Promise<RunningHttpServer> {
  const sockets = new Set<Socket>();
  const active = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    const p = handle(req, res);
    active.add(p);
    void p.finally(() => active.delete(p));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stop: (onClosing) =>
      (stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        onClosing?.();
        await Promise.allSettled([...active]);
        for (const s of sockets) s.destroy();
        await closed;
      })()),
  };
}
