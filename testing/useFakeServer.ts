import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFakeServer, type FakeHandler, type FakeServer } from './fakeOpenAIServer.js';

/**
 * A loopback fake server for the enclosing `describe` block: started before its tests, request log cleared after
 * each test, stopped after the block. The returned object forwards to the running server.
 */
export function useFakeServer(handler: FakeHandler): FakeServer {
  let server: FakeServer | undefined;
  const live = (): FakeServer => {
    if (!server) throw new Error('the fake server runs only inside the tests of the describe block that uses it');
    return server;
  };
  beforeAll(async () => {
    server = await startFakeServer(handler);
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(() => {
    if (server) server.requests.length = 0;
  });
  return {
    get url() {
      return live().url;
    },
    get requests() {
      return live().requests;
    },
    maxConcurrent: () => live().maxConcurrent(),
    setHandler: (h) => live().setHandler(h),
    close: () => live().close(),
  };
}
