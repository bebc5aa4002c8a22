import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export declare const MCP_TEST_SERVER_FILE: string;
export declare function buildMcpTestServer(): McpServer;
