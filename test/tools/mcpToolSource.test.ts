import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tool, ToolSession } from '../../core/contracts/Tool.js';
import { ToolExecutor } from '../../core/tools/ToolExecutor.js';
import { McpToolSource } from '../../plugins/tools/mcp/McpToolSource.js';
import { startMcpHttpServer } from '../fakes/mcpHttpServer.js';
import { MCP_TEST_SERVER_FILE } from '../fakes/mcpTestServer.mjs';

const stdioCommand = [process.execPath, MCP_TEST_SERVER_FILE];
const ctx = (episodeId: string) => ({ episodeId, agentId: 'a', workDir: '/nonexistent', signal: new AbortController().signal });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function call(session: ToolSession, name: string, args: Record<string, unknown>, timeoutMs?: number) {
  const tools = new Map<string, Tool>(session.tools.map((t) => [t.name, t]));
  const executor = new ToolExecutor(timeoutMs ? { defaultTimeoutMs: timeoutMs } : {});
  const r = await executor.execute([{ id: 'c1', name, arguments: JSON.stringify(args) }], tools, { ...ctx('e'), actionIndex: 0, seed: 1 });
  return r.calls[0]!;
}

describe('MCP tool source over stdio (a server process per episode)', () => {
  it('lists the tools, forwards calls, shows isError results and stops the process when the session closes', async () => {
    const source = new McpToolSource({ name: 'tools[0]', command: stdioCommand, timeoutMs: 300 });
    const session = await source.open(ctx('ep1'));
    try {
      expect(session.tools.map((t) => t.name).sort()).toEqual(['add', 'counter', 'fail', 'pid', 'slow']);
      const add = session.tools.find((t) => t.name === 'add')!;
      expect(add.parameters).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } });
      expect(await call(session, 'add', { a: 2, b: 40 })).toMatchObject({ status: 'ok', output: '42' });
      expect(await call(session, 'fail', { why: 'no' })).toMatchObject({ status: 'error', errorKind: 'tool-error', output: 'refused: no' });
      // Schema-invalid arguments are caught before they reach the server.
      expect(await call(session, 'add', { a: 'x' })).toMatchObject({ errorKind: 'invalid-arguments' });
      // A call that outlives the source's timeout becomes a timeout result (the SDK cancels it).
      expect(await call(session, 'slow', { ms: 1500 }, 300)).toMatchObject({ status: 'timeout', errorKind: 'timeout' });
      const pid = Number((await call(session, 'pid', {})).output);
      expect(source.runningPids()).toEqual([pid]);
      expect(alive(pid)).toBe(true);
      await session.close!();
      await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
      expect(source.runningPids()).toEqual([]);
    } finally {
      await source.dispose();
    }
  }, 30_000);

  it('starts one process per episode, or one for the run when shared', async () => {
    const perEpisode = new McpToolSource({ name: 'perEpisode', command: stdioCommand });
    const shared = new McpToolSource({ name: 'shared', command: stdioCommand, shared: true, prefix: 'm_', include: ['pid', 'counter'] });
    try {
      const [a, b] = [await perEpisode.open(ctx('e1')), await perEpisode.open(ctx('e2'))];
      const pids = [Number((await call(a, 'pid', {})).output), Number((await call(b, 'pid', {})).output)];
      expect(pids[0]).not.toBe(pids[1]);
      await Promise.all([a.close!(), b.close!()]);
      const [c, d] = [await shared.open(ctx('e1')), await shared.open(ctx('e2'))];
      expect(c.tools.map((t) => t.name).sort()).toEqual(['m_counter', 'm_pid']);
      expect(Number((await call(c, 'm_pid', {})).output)).toBe(Number((await call(d, 'm_pid', {})).output));
      // State lives in the shared server across episodes.
      expect((await call(c, 'm_counter', {})).output).toBe('1');
      expect((await call(d, 'm_counter', {})).output).toBe('2');
      expect(shared.stats.sessions).toBe(1);
      const pid = shared.runningPids()[0]!;
      await shared.dispose();
      await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
    } finally {
      await perEpisode.dispose();
      await shared.dispose();
    }
  }, 30_000);

  it('names the command when the server cannot start', async () => {
    const source = new McpToolSource({ name: 'agents[0].tools[1]', command: [process.execPath, '-e', 'process.exit(3)'], connectTimeoutMs: 5000 });
    await expect(source.open(ctx('e'))).rejects.toThrow(/agents\[0\]\.tools\[1\]: cannot start the MCP session/);
  }, 15_000);
});

describe('MCP tool source over streamable HTTP (loopback)', () => {
  let server: Awaited<ReturnType<typeof startMcpHttpServer>>;
  beforeAll(async () => {
    server = await startMcpHttpServer();
  });
  afterAll(async () => server?.close());

  it('lists and calls tools on an HTTP server, with isError results shown to the agent', async () => {
    const source = new McpToolSource({ name: 'tools[0]', url: server.url });
    try {
      const session = await source.open(ctx('e1'));
      expect(session.tools.map((t) => t.name)).toContain('add');
      expect(await call(session, 'add', { a: 1.5, b: 2 })).toMatchObject({ status: 'ok', output: '3.5' });
      expect(await call(session, 'fail', { why: 'quota' })).toMatchObject({ status: 'error', output: 'refused: quota' });
      expect(await call(session, 'nope', {})).toMatchObject({ errorKind: 'unknown-tool' });
      await session.close!();
      expect(server.requests()).toBeGreaterThan(3);
    } finally {
      await source.dispose();
    }
  });
});
