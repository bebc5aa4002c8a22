// A small MCP server built with the SDK's server side, in plain JavaScript so a stdio process starts fast
// (`node test/fakes/mcpTestServer.mjs`); `mcpHttpServer.ts` serves the same tools over streamable HTTP.
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

export const MCP_TEST_SERVER_FILE = fileURLToPath(import.meta.url);

/** Tools: `add`, `fail` (an `isError` result), `slow` (sleeps), `pid` (which process answers), `counter` (per-instance state). */
export function buildMcpTestServer() {
  const server = new McpServer({ name: 'mappa-test', version: '1.0.0' });
  let count = 0;
  server.registerTool('add', { description: 'Adds two numbers.', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  server.registerTool('fail', { description: 'Always reports an error.', inputSchema: { why: z.string() } }, async ({ why }) => ({
    content: [{ type: 'text', text: `refused: ${why}` }],
    isError: true,
  }));
  server.registerTool('slow', { description: 'Sleeps, then answers.', inputSchema: { ms: z.number().int() } }, async ({ ms }) => {
    await new Promise((r) => setTimeout(r, ms));
    return { content: [{ type: 'text', text: `slept ${ms}` }] };
  });
  server.registerTool('pid', { description: 'The server process id.' }, async () => ({ content: [{ type: 'text', text: String(process.pid) }] }));
  server.registerTool('counter', { description: 'Counts calls on this server instance.' }, async () => ({ content: [{ type: 'text', text: String(++count) }] }));
  return server;
}

if (process.argv[1] === MCP_TEST_SERVER_FILE) {
  await buildMcpTestServer().connect(new StdioServerTransport());
}
