import { z } from 'zod';
import { definePlugin } from '../../../core/plugins/definePlugin.js';

export const McpToolConfig = z
  .strictObject({
    command: z.array(z.string().min(1)).min(1).optional().describe('stdio server: command and arguments, e.g. [node, server.js] (started and stopped by mappa)'),
    url: z.string().url().optional().describe('Streamable HTTP server URL, e.g. http://127.0.0.1:3000/mcp'),
    env: z.record(z.string(), z.string()).optional().describe('Extra environment variables of a stdio server (literal values; secrets: use passEnv)'),
    passEnv: z.array(z.string()).default([]).describe('Host environment variables passed to a stdio server by name (for keys)'),
    cwd: z.string().optional().describe('Working directory of a stdio server, relative to the pipeline file'),
    shared: z.boolean().default(false).describe('One session for the whole run (stateless servers) instead of one per episode and agent'),
    include: z.array(z.string()).optional().describe('Only these tools of the server'),
    prefix: z.string().default('').describe('Prepended to the tool names the agent sees (avoids clashes between servers)'),
    timeoutMs: z.number().int().min(1).default(30_000).describe('Time limit of one call'),
  })
  .refine((c) => (c.command === undefined) !== (c.url === undefined), { message: 'give exactly one of `command` (stdio) or `url` (streamable HTTP)' });
export type McpToolConfig = z.output<typeof McpToolConfig>;

export const mcpToolPlugin = definePlugin({
  kind: 'tool',
  name: 'mcp',
  description: 'The tools of an MCP server (official SDK client; stdio process per episode or shared, or streamable HTTP).',
  configSchema: McpToolConfig,
  capabilities: { toolNames: (c: McpToolConfig) => (c.include ? c.include.map((n) => `${c.prefix}${n}`) : undefined) },
  create: async (config, deps) => {
    const { McpToolSource } = await import('./McpToolSource.js');
    const { resolve } = await import('node:path');
    const env: Record<string, string> = { ...config.env };
    for (const name of config.passEnv) {
      const v = process.env[name];
      if (v !== undefined) env[name] = v;
      else deps.logger.warn(`${deps.path}.passEnv: ${name} is not set in the environment`);
    }
    return new McpToolSource({
      name: deps.path,
      command: config.command,
      url: config.url,
      ...(Object.keys(env).length ? { env } : {}),
      ...(config.cwd ? { cwd: resolve(deps.run.baseDir, config.cwd) } : {}),
      shared: config.shared,
      include: config.include,
      prefix: config.prefix,
      timeoutMs: config.timeoutMs,
      logger: deps.logger,
    });
  },
});
