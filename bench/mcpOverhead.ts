/**
 * Per-call overhead of MCP tools over stdio and streamable HTTP (loopback) against the same tool called in process.
 *
 *   npx tsx bench/mcpOverhead.ts [--calls 300] [--warmup 30]
 *
 * Each call goes through mappa's ToolExecutor (argument parsing, JSON-Schema check, time limit), as in rollouts; only
 * the transport differs. Prints the median and p10/p90 per call in ms, and the median overhead over in-process.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Tool } from '../core/contracts/Tool.js';
import { defineTool } from '../core/tools/defineTool.js';
import { ToolExecutor } from '../core/tools/ToolExecutor.js';
import { McpToolSource } from '../plugins/tools/mcp/McpToolSource.js';
import { startMcpHttpServer } from '../test/fakes/mcpHttpServer.js';
import { MCP_TEST_SERVER_FILE } from '../test/fakes/mcpTestServer.mjs';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '300' }, warmup: { type: 'string', default: '30' } } });
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const executor = new ToolExecutor();
const ctx = { episodeId: 'bench', agentId: 'a', actionIndex: 0, workDir: '/tmp', signal: new AbortController().signal, seed: 0 };

async function time(tool: Tool): Promise<number[]> {
  const tools = new Map([[tool.name, tool]]);
  const out: number[] = [];
  for (let i = 0; i < warmup + calls; i++) {
    const req = [{ id: `c${i}`, name: tool.name, arguments: JSON.stringify({ a: i, b: 1 }) }];
    const t0 = performance.now();
    const r = await executor.execute(req, tools, ctx);
    const dt = performance.now() - t0;
    if (r.calls[0]!.status !== 'ok' || r.calls[0]!.output !== String(i + 1)) throw new Error(`bad result: ${JSON.stringify(r.calls[0])}`);
    if (i >= warmup) out.push(dt);
  }
  return out.sort((x, y) => x - y);
}
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const fmt = (xs: number[]) => `median ${q(xs, 0.5).toFixed(3)} ms (p10 ${q(xs, 0.1).toFixed(3)}, p90 ${q(xs, 0.9).toFixed(3)})`;

const local = defineTool({ name: 'add', description: 'Adds two numbers.', parameters: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => String(a + b) });
const inProcess = await time(local);

const stdio = new McpToolSource({ name: 'stdio', command: [process.execPath, MCP_TEST_SERVER_FILE], include: ['add'] });
const stdioSession = await stdio.open({ episodeId: 'bench', agentId: 'a', workDir: '/tmp', signal: ctx.signal });
const overStdio = await time(stdioSession.tools[0]!);
await stdioSession.close?.();
await stdio.dispose();

const server = await startMcpHttpServer();
const http = new McpToolSource({ name: 'http', url: server.url, include: ['add'] });
const httpSession = await http.open({ episodeId: 'bench', agentId: 'a', workDir: '/tmp', signal: ctx.signal });
const overHttp = await time(httpSession.tools[0]!);
await httpSession.close?.();
await http.dispose();
await server.close();

// Session start: spawn + initialize + tools/list (stdio), initialize + list (HTTP).
const starts: Record<string, number[]> = { stdio: [], http: [] };
const server2 = await startMcpHttpServer();
for (let i = 0; i < 5; i++) {
  for (const [kind, source] of [
    ['stdio', new McpToolSource({ name: 's', command: [process.execPath, MCP_TEST_SERVER_FILE] })],
    ['http', new McpToolSource({ name: 'h', url: server2.url })],
  ] as const) {
    const t0 = performance.now();
    const s = await source.open({ episodeId: 'b', agentId: 'a', workDir: '/tmp', signal: ctx.signal });
    starts[kind]!.push(performance.now() - t0);
    await s.close?.();
    await source.dispose();
  }
}
await server2.close();

const med = (xs: number[]) => q(xs, 0.5);
console.log(`calls per transport: ${calls} (after ${warmup} warm-up), through ToolExecutor`);
console.log(`in process : ${fmt(inProcess)}`);
console.log(`MCP stdio  : ${fmt(overStdio)}  overhead ${(med(overStdio) - med(inProcess)).toFixed(3)} ms/call`);
console.log(`MCP HTTP   : ${fmt(overHttp)}  overhead ${(med(overHttp) - med(inProcess)).toFixed(3)} ms/call`);
console.log(`session start (spawn/connect + initialize + tools/list), 5 each: stdio ${fmt(starts['stdio']!.sort((a, b) => a - b))}; HTTP ${fmt(starts['http']!.sort((a, b) => a - b))}`);
