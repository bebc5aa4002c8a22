import type { ToolCallRequest } from '../model/ToolCallRequest.js';

/** Qwen's (and Hermes') format: `<tool_call>{"name": …, "arguments": {…}}</tool_call>`, one block per call. */
export const QWEN_TOOL_CALL_PATTERN = '<tool_call>\\s*([\\s\\S]*?)\\s*</tool_call>';

/**
 * Tool calls written in generated text: every match of `pattern` whose first group is `{"name": …, "arguments": …}`
 * JSON (`arguments` may also be a JSON string, as some models write it). A block that does not parse, and a start tag
 * left open at the end (e.g. a cut-off generation), become calls with a `parseError`, so the agent hears about it.
 */
export function parseToolCallText(
  text: string,
  pattern: string = QWEN_TOOL_CALL_PATTERN,
  openTag: string = pattern === QWEN_TOOL_CALL_PATTERN ? '<tool_call>' : '',
): ToolCallRequest[] {
  const calls: ToolCallRequest[] = [];
  const re = new RegExp(pattern, 'g');
  let end = 0;
  for (const m of text.matchAll(re)) {
    end = (m.index ?? 0) + m[0].length;
    const raw = (m[1] ?? m[0]).trim();
    const id = `call_${calls.length}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      calls.push({ id, name: '', arguments: raw, parseError: `not valid JSON (${(err as Error).message})` });
      continue;
    }
    const obj = parsed as { name?: unknown; arguments?: unknown; parameters?: unknown } | null;
    if (obj === null || typeof obj !== 'object' || typeof obj.name !== 'string' || obj.name === '') {
      calls.push({ id, name: '', arguments: raw, parseError: 'expected {"name": "<tool>", "arguments": {...}}' });
      continue;
    }
    const args = obj.arguments ?? obj.parameters ?? {};
    calls.push({ id, name: obj.name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });
  }
  if (openTag && text.indexOf(openTag, end) >= 0) {
    calls.push({ id: `call_${calls.length}`, name: '', arguments: text.slice(text.indexOf(openTag, end)), parseError: `"${openTag}" is never closed` });
  }
  return calls;
}
