import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Tool } from '../../core/contracts/Tool.js';
import type { ActionRecord } from '../../core/model/Action.js';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { episodeMetrics } from '../../core/runner/episodeMetrics.js';
import { defineTool } from '../../core/tools/defineTool.js';
import { parseToolCallText } from '../../core/tools/parseToolCallText.js';
import { ToolExecutor } from '../../core/tools/ToolExecutor.js';
import { evaluateArithmetic } from '../../plugins/tools/calculator/evaluateArithmetic.js';
import { createCalculatorTool } from '../../plugins/tools/calculator/calculatorToolPlugin.js';

const tools = new Map<string, Tool>(
  [
    createCalculatorTool(),
    defineTool({ name: 'boom', description: 'throws', parameters: z.object({}), execute: () => Promise.reject(new Error('kaput')) }),
    defineTool({ name: 'hang', description: 'never answers', parameters: z.object({}), timeoutMs: 100, execute: () => new Promise(() => undefined) }),
    defineTool({
      name: 'echo',
      description: 'JSON-schema parameters given directly',
      parameters: { type: 'object', properties: { n: { type: 'integer', minimum: 0 } }, required: ['n'], additionalProperties: false },
      execute: (args) => ({ json: args }),
    }),
  ].map((t) => [t.name, t]),
);
const ctx = { episodeId: 'e', agentId: 'a', actionIndex: 0, workDir: '/nonexistent', signal: new AbortController().signal, seed: 1 };

describe('ToolExecutor: every failure is a tool result the agent sees, with its kind', () => {
  it('runs valid calls and turns malformed JSON, unknown tools, invalid arguments, throws and hangs into results', async () => {
    const text = [
      '<tool_call>{"name":"calculator","arguments":{"expression":"12*(3+4)"}}</tool_call>',
      '<tool_call>{"name":"calculator","arguments":{"expression":"1+1"}</tool_call>', // a brace short
      '<tool_call>{"name":"search","arguments":{}}</tool_call>',
      '<tool_call>{"name":"echo","arguments":{"n":-1,"x":2}}</tool_call>',
      '<tool_call>{"name":"boom","arguments":{}}</tool_call>',
      '<tool_call>{"name":"hang","arguments":{}}</tool_call>',
      '<tool_call>{"name":"echo","arguments":{"n":3}}</tool_call>',
      '<tool_call>{"name":"calculator","arguments":{"expression":"2**',
    ].join('\n');
    const requests = parseToolCallText(text);
    const t0 = performance.now();
    const r = await new ToolExecutor().execute(requests, tools, ctx);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.calls.map((c) => [c.tool, c.status, c.errorKind ?? 'none'])).toEqual([
      ['calculator', 'ok', 'none'],
      ['(none)', 'error', 'malformed'],
      ['search', 'error', 'unknown-tool'],
      ['echo', 'error', 'invalid-arguments'],
      ['boom', 'error', 'threw'],
      ['hang', 'timeout', 'timeout'],
      ['echo', 'ok', 'none'],
      ['(none)', 'error', 'malformed'],
    ]);
    expect(r.calls[0]!.output).toBe('84');
    expect(r.calls[0]!.arguments).toEqual({ expression: '12*(3+4)' });
    expect(r.messages.map((m) => m.role)).toEqual(Array(8).fill('tool'));
    expect(r.messages.map((m) => m.toolCallId)).toEqual(requests.map((q) => q.id));
    expect(r.messages[2]!.content).toMatch(/unknown tool "search"; available: calculator, boom, hang, echo/);
    expect(r.messages[3]!.content).toBe('error: invalid arguments for echo: (arguments) must NOT have additional properties; /n must be >= 0');
    expect(r.messages[4]!.content).toBe('error: boom failed: kaput');
    expect(r.messages[5]!.content).toBe('error: hang did not finish within 100 ms');
    expect(r.messages[6]!.content).toBe('{"n":3}');
    expect(r.messages[7]!.content).toMatch(/"<tool_call>" is never closed/);
    expect(r.calls.every((c) => typeof c.durationMs === 'number' && typeof c.startedMs === 'number')).toBe(true);

    // The same calls counted in the episode metrics.
    const action = { toolCalls: r.calls, finishReason: 'stop' } as unknown as ActionRecord;
    const m = episodeMetrics('train/', [{ actions: [action], taskMetadata: {}, outcome: { success: true } } as unknown as EpisodeRecord]);
    expect(m).toMatchObject({
      'train/tool_calls': 8,
      'train/tool_calls/function': 8,
      'train/tool_calls/valid_rate': 4 / 8,
      'train/tool_errors/malformed': 2,
      'train/tool_errors/unknown-tool': 1,
      'train/tool_errors/invalid-arguments': 1,
      'train/tool_errors/threw': 1,
      'train/tool_errors/timeout': 1,
    });
  });

  it('stops after maxCallsPerAction and answers the rest with an error', async () => {
    const calls = Array.from({ length: 3 }, (_, i) => ({ id: `c${i}`, name: 'calculator', arguments: '{"expression":"1+1"}' }));
    const r = await new ToolExecutor({ maxCallsPerAction: 2 }).execute(calls, tools, ctx);
    expect(r.calls.map((c) => c.status)).toEqual(['ok', 'ok', 'error']);
    expect(r.messages[2]!.content).toMatch(/only 2 tool calls run per action/);
  });
});

describe('parseToolCallText and the calculator', () => {
  it('reads Qwen tool calls, string arguments and a custom pattern', () => {
    expect(parseToolCallText('hi <tool_call>\n{"name": "f", "arguments": "{\\"a\\":1}"}\n</tool_call>')).toEqual([{ id: 'call_0', name: 'f', arguments: '{"a":1}' }]);
    expect(parseToolCallText('CALL[{"name":"g","arguments":{"b":2}}]', 'CALL\\[(.*?)\\]')).toEqual([{ id: 'call_0', name: 'g', arguments: '{"b":2}' }]);
    expect(parseToolCallText('no calls here')).toEqual([]);
    expect(parseToolCallText('<tool_call>{"arguments":{}}</tool_call>')[0]!.parseError).toMatch(/expected \{"name"/);
  });

  it('evaluates arithmetic only', () => {
    expect(evaluateArithmetic('347*29+58')).toBe(10121);
    expect(evaluateArithmetic('-(2+3)**2 % 7')).toBe(-4);
    expect(() => evaluateArithmetic('process.exit()')).toThrow(/unexpected/);
    expect(() => evaluateArithmetic('1/0')).toThrow(/division by zero/);
  });
});
