import type { ToolValue } from '../contracts/Tool.js';

/** The text an agent sees for a tool's return value: the text, then JSON (pretty-printed) and any returned files. */
export function formatToolValue(value: ToolValue): { text: string; isError: boolean; final: boolean } {
  if (typeof value === 'string') return { text: value, isError: false, final: false };
  const parts: string[] = [];
  if (value.text !== undefined && value.text !== '') parts.push(value.text);
  if (value.json !== undefined) parts.push(JSON.stringify(value.json));
  if (value.files?.length) parts.push(`files: ${value.files.map((f) => `${f.path} (${f.bytes} bytes)`).join(', ')}`);
  return { text: parts.join('\n'), isError: value.isError === true, final: value.final === true };
}
