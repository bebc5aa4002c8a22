import type { ToolValue } from '../../../core/contracts/Tool.js';

interface ContentBlock {
  readonly type: string;
  readonly text?: string;
  readonly mimeType?: string;
  readonly uri?: string;
  readonly resource?: { readonly uri?: string; readonly text?: string; readonly mimeType?: string };
}

/**
 * An MCP `tools/call` result as the agent sees it: text blocks joined, other blocks named by type (the agent is a text
 * model), `structuredContent` as JSON when there is no text, `isError` kept.
 */
export function mcpResultToValue(result: { content?: unknown; structuredContent?: unknown; isError?: unknown; toolResult?: unknown }): ToolValue {
  const blocks = Array.isArray(result.content) ? (result.content as ContentBlock[]) : [];
  const parts = blocks.map((b) => {
    if (b.type === 'text') return b.text ?? '';
    if (b.type === 'resource') return b.resource?.text ?? `[resource ${b.resource?.uri ?? ''}]`;
    if (b.type === 'resource_link') return `[resource ${b.uri ?? ''}]`;
    return `[${b.type}${b.mimeType ? ` ${b.mimeType}` : ''}]`;
  });
  const text = parts.join('\n');
  const isError = result.isError === true;
  // Old servers answer with `toolResult` instead of content blocks.
  if (blocks.length === 0 && result.toolResult !== undefined) return { json: result.toolResult, isError };
  if (text === '' && result.structuredContent !== undefined) return { json: result.structuredContent, isError };
  return { text, isError };
}
