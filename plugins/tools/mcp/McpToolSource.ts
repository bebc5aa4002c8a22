import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { Tool, ToolSession, ToolSessionContext, ToolSource } from '../../../core/contracts/Tool.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { redactString } from '../../../core/util/redactSecrets.js';
import { mcpResultToValue } from './mcpResultToValue.js';

export interface McpToolSourceOptions {
  /** Instance name (for messages), e.g. the config path. */
  readonly name: string;
  /** stdio: the server command and its arguments (mappa starts and stops the process). */
  readonly command?: readonly string[] | undefined;
  /** Streamable HTTP endpoint, e.g. http://127.0.0.1:3000/mcp. */
  readonly url?: string | undefined;
  /** Extra environment of the stdio server (besides the SDK's safe defaults such as PATH and HOME). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly cwd?: string | undefined;
  /** Headers sent to an HTTP server. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** One server session for the whole run (stateless servers) instead of one per episode and agent. */
  readonly shared?: boolean | undefined;
  /** Only these tools (server names, before the prefix). */
  readonly include?: readonly string[] | undefined;
  /** Prepended to every tool name the policy sees (to avoid clashes between servers). */
  readonly prefix?: string | undefined;
  readonly timeoutMs?: number | undefined;
  readonly connectTimeoutMs?: number | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly logger?: Logger | undefined;
}

interface Connection {
  readonly client: Client;
  readonly tools: readonly Tool[];
  /** Process id of a stdio server. */
  readonly pid: number | null;
  close(): Promise<void>;
}

/**
 * Tools of an MCP server through the official SDK client, over stdio (a process mappa starts per episode, or once
 * when `shared`) or streamable HTTP. Tools are listed when a session opens; calls are forwarded with the call's abort
 * signal; `isError` results reach the agent as error results.
 */
export class McpToolSource implements ToolSource {
  #shared: Promise<Connection> | undefined;
  readonly #open = new Set<Connection>();
  /** Sessions opened and calls forwarded, for metrics and tests. */
  readonly stats = { sessions: 0, calls: 0 };

  constructor(private readonly o: McpToolSourceOptions) {
    if ((o.command === undefined) === (o.url === undefined)) {
      throw new MappaError(`${o.name}: an MCP tool source needs exactly one of \`command\` (stdio) or \`url\` (streamable HTTP)`);
    }
    if (o.command !== undefined && o.command.length === 0) throw new MappaError(`${o.name}.command: give the server command, e.g. [node, server.js]`);
  }

  get name(): string {
    return this.o.name;
  }

  async #connect(): Promise<Connection> {
    const [{ Client }, { StdioClientTransport }, { StreamableHTTPClientTransport }] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/stdio.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    ]);
    const client = new Client({ name: 'mappa', version: '0.1.0' });
    const where = this.o.command ? this.o.command.join(' ') : this.o.url!;
    let transport: InstanceType<typeof StdioClientTransport> | InstanceType<typeof StreamableHTTPClientTransport>;
    if (this.o.command) {
      const [command, ...args] = this.o.command as [string, ...string[]];
      transport = new StdioClientTransport({
        command,
        args,
        ...(this.o.env ? { env: { ...this.o.env } } : {}),
        ...(this.o.cwd ? { cwd: this.o.cwd } : {}),
        stderr: 'pipe',
      });
      // Drained so a chatty server never blocks on a full pipe; kept in the debug log.
      transport.stderr?.on('data', (chunk: Buffer) => this.o.logger?.debug(`${this.o.name} stderr: ${redactString(chunk.toString('utf8').trimEnd())}`));
    } else {
      transport = new StreamableHTTPClientTransport(new URL(this.o.url!), {
        ...(this.o.headers ? { requestInit: { headers: { ...this.o.headers } } } : {}),
        ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
      });
    }
    try {
      await client.connect(transport, { timeout: this.o.connectTimeoutMs ?? 20_000 });
      const listed: Array<{ name: string; description?: string | undefined; inputSchema: Record<string, unknown> }> = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { timeout: this.o.connectTimeoutMs ?? 20_000 });
        listed.push(...(page.tools as typeof listed));
        cursor = page.nextCursor;
      } while (cursor);
      const include = this.o.include ? new Set(this.o.include) : undefined;
      const tools: Tool[] = listed
        .filter((t) => !include || include.has(t.name))
        .map((t) => this.#tool(client, t));
      if (include) {
        const missing = [...include].filter((n) => !listed.some((t) => t.name === n));
        if (missing.length) throw new MappaError(`${this.o.name}.include: the server has no tool ${missing.join(', ')} (it has ${listed.map((t) => t.name).join(', ')})`);
      }
      const pid = 'pid' in transport ? transport.pid : null;
      const conn: Connection = {
        client,
        tools,
        pid,
        close: async () => {
          this.#open.delete(conn);
          if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
          await client.close();
        },
      };
      this.#open.add(conn);
      this.stats.sessions++;
      return conn;
    } catch (err) {
      await client.close().catch(() => undefined);
      if (err instanceof MappaError) throw err;
      throw new MappaError(`${this.o.name}: cannot start the MCP session with ${redactString(where)}: ${redactString((err as Error).message)}`, {
        hint: this.o.command ? 'check that the command runs on its own and speaks MCP on stdin/stdout' : 'check that the server is up and the URL ends with its MCP path (often /mcp)',
        cause: err,
      });
    }
  }

  #tool(client: Client, t: { name: string; description?: string | undefined; inputSchema: Record<string, unknown> }): Tool {
    const name = `${this.o.prefix ?? ''}${t.name}`;
    return {
      name,
      description: t.description ?? '',
      parameters: { ...t.inputSchema, type: 'object' },
      ...(this.o.timeoutMs !== undefined ? { timeoutMs: this.o.timeoutMs } : {}),
      execute: async (args, ctx) => {
        this.stats.calls++;
        const result = await client.callTool({ name: t.name, arguments: args }, undefined, {
          signal: ctx.signal,
          timeout: this.o.timeoutMs ?? 30_000,
        });
        return mcpResultToValue(result);
      },
    };
  }

  async open(_context: ToolSessionContext): Promise<ToolSession> {
    if (this.o.shared) {
      this.#shared ??= this.#connect();
      // A failed shared start is retried by the next episode rather than cached.
      const conn = await this.#shared.catch((err: unknown) => {
        this.#shared = undefined;
        throw err;
      });
      return { tools: conn.tools };
    }
    const conn = await this.#connect();
    return { tools: conn.tools, close: () => conn.close() };
  }

  /** Process ids of the stdio servers currently running (for tests that check they are stopped). */
  runningPids(): number[] {
    return [...this.#open].map((c) => c.pid).filter((p): p is number => p !== null);
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([...this.#open].map((c) => c.close()));
    this.#shared = undefined;
  }
}
