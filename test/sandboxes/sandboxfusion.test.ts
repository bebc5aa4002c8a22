import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { createBubblewrapSandbox } from '../../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.js';
import { createSandboxFusionSandbox } from '../../plugins/sandboxes/sandboxfusion/SandboxFusionSandbox.js';
import { fromSandboxFusionResponse } from '../../plugins/sandboxes/sandboxfusion/sandboxFusionWire.js';
import type { HostSandbox } from '../../plugins/sandboxes/shared/HostSandbox.js';
import { describeSandboxConformance } from '../conformance/sandboxConformance.js';
import { startFakeServer, type FakeServer } from '../fakes/fakeOpenAIServer.js';
import { startFakeSandboxFusion } from '../fakes/fakeSandboxFusionServer.js';

let backend: HostSandbox;
let server: FakeServer;

beforeAll(async () => {
  backend = await createBubblewrapSandbox();
  server = await startFakeSandboxFusion(backend);
});
afterAll(async () => {
  await server.close();
  await backend.dispose();
});

describeSandboxConformance('sandboxfusion (against a loopback fake)', {
  create: async () => createSandboxFusionSandbox({ baseURL: server.url, retryDelayMs: 1 }),
  languages: ['python', 'node', 'bash'],
});

describe('sandboxfusion client', () => {
  it('sends the SandboxFusion wire format', async () => {
    const sb = createSandboxFusionSandbox({ baseURL: `${server.url}/`, runTimeout: 7, memoryLimitMb: 512 });
    const before = server.requests.length;
    await sb.run({ code: 'console.log(1)', language: 'node', stdin: 'x', files: { 'a.txt': 'YQ==' }, fetchFiles: ['b.txt'] });
    const req = server.requests[before]!;
    expect(req.path).toBe('/run_code');
    expect(req.body).toEqual({
      code: 'console.log(1)',
      language: 'nodejs',
      compile_timeout: 10,
      run_timeout: 7,
      memory_limit_MB: 512,
      stdin: 'x',
      files: { 'a.txt': 'YQ==' },
      fetch_files: ['b.txt'],
    });
  });

  it('retries on 504 and then succeeds', async () => {
    const flaky = await startFakeSandboxFusion(backend, (_req, index) => (index < 2 ? { status: 504, body: 'gateway timeout' } : undefined));
    try {
      const sb = createSandboxFusionSandbox({ baseURL: flaky.url, retryDelayMs: 1 });
      const r = await sb.run({ code: 'print(5)', language: 'python' });
      expect(r.runResult?.stdout.trim()).toBe('5');
      expect(flaky.requests).toHaveLength(3);
      expect(sb.retries).toBe(2);
    } finally {
      await flaky.close();
    }
  });

  it('gives up after maxRetries 504s with a SandboxError, and does not retry other HTTP errors', async () => {
    const down = await startFakeServer((req) => (req.body?.code === 'bad' ? { status: 500, body: 'boom' } : { status: 504, body: 'gateway timeout' }));
    try {
      const sb = createSandboxFusionSandbox({ baseURL: down.url, retryDelayMs: 1, maxRetries: 2 });
      const r = await sb.run({ code: 'print(1)', language: 'python' });
      expect(r.status).toBe('SandboxError');
      expect(r.message).toContain('504');
      expect(down.requests).toHaveLength(3);
      const e = await sb.run({ code: 'bad', language: 'python' });
      expect(e.status).toBe('SandboxError');
      expect(e.message).toContain('500');
      expect(down.requests).toHaveLength(4);
    } finally {
      await down.close();
    }
  });

  it('reports an unreachable server as a SandboxError after retrying', async () => {
    const closed = await startFakeServer(() => ({}));
    const url = closed.url;
    await closed.close();
    const sb = createSandboxFusionSandbox({ baseURL: url, retryDelayMs: 1, maxRetries: 1 });
    const r = await sb.run({ code: 'print(1)', language: 'python' });
    expect(r.status).toBe('SandboxError');
    expect(r.message).toContain('cannot reach');
    expect(sb.retries).toBe(1);
  });

  it('maps SandboxFusion statuses onto ours', () => {
    const failed = fromSandboxFusionResponse({ status: 'Failed', message: '', run_result: { status: 'Finished', return_code: 1, stdout: '', stderr: 'Traceback', execution_time: 0.1 } });
    expect(failed).toMatchObject({ status: 'Success', runResult: { status: 'Error', returnCode: 1, stderr: 'Traceback' } });
    const tle = fromSandboxFusionResponse({ status: 'Failed', run_result: { status: 'TimeLimitExceeded', return_code: null, stdout: 'partial', stderr: '' } });
    expect(tle.runResult).toMatchObject({ status: 'TimeLimitExceeded', limitExceeded: 'wallTime', stdout: 'partial' });
    expect(fromSandboxFusionResponse({ status: 'SandboxError', message: 'pod died' })).toMatchObject({ status: 'SandboxError', message: 'pod died' });
    expect(fromSandboxFusionResponse({ status: 'SandboxError', message: '', run_result: { status: 'Error', stderr: 'no runtime' } }).status).toBe('SandboxError');
    const compile = fromSandboxFusionResponse({ status: 'Failed', compile_result: { status: 'Finished', return_code: 1, stderr: 'syntax' }, run_result: null });
    expect(compile).toMatchObject({ status: 'Success', runResult: { status: 'Error', stderr: 'syntax' } });
  });

  it('is created from a pipeline config; a key comes only from apiKeyEnv', async () => {
    const def = createBuiltinRegistry().get('sandbox', 'sandboxfusion')!;
    const config = def.configSchema.parse({ baseURL: server.url, apiKeyEnv: 'MAPPA_TEST_SF_KEY' });
    process.env.MAPPA_TEST_SF_KEY = 'sf-token';
    try {
      const { silentLogger } = await import('../../core/util/createLogger.js');
      const sb = await def.create(config, { logger: silentLogger, path: 'environment.sandbox', id: 'sandboxfusion' } as never);
      const before = server.requests.length;
      const r = await sb.run({ code: 'print(2)', language: 'python' });
      expect(r.runResult?.stdout.trim()).toBe('2');
      expect(server.requests[before]!.headers.authorization).toBe('Bearer sf-token');
    } finally {
      delete process.env.MAPPA_TEST_SF_KEY;
    }
  });
});
