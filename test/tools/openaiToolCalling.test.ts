import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import type { FakeRequest, FakeReply } from '../fakes/fakeOpenAIServer.js';
import { MCP_TEST_SERVER_FILE } from '../fakes/mcpTestServer.mjs';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR } from '../fakes/tinyPipeline.js';
import { useFakeServer } from '../fakes/useFakeServer.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A fake model: first it calls the calculator and the MCP `add` tool, then it answers with what they returned. */
function reply(req: FakeRequest): FakeReply {
  const messages = req.body.messages as Array<{ role: string; content: string | null; tool_call_id?: string }>;
  const last = messages.at(-1)!;
  const stream = req.body.stream === true;
  if (last.role !== 'tool') {
    const calls = [
      { id: 'call_calc', type: 'function', function: { name: 'calculator', arguments: JSON.stringify({ expression: '12*34+5' }) } },
      { id: 'call_add', type: 'function', function: { name: 'add', arguments: JSON.stringify({ a: 1, b: 2 }) } },
    ];
    if (!stream) {
      return {
        body: {
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'fake-model',
          choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: calls }, finish_reason: 'tool_calls', logprobs: { content: [{ token: 't', logprob: -0.5, bytes: null, top_logprobs: [] }] } }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        },
      };
    }
    // Streamed: ids and names once, the arguments in pieces, as OpenAI sends them.
    const chunks = calls.flatMap((c, index) => {
      const args = c.function.arguments;
      return [
        { index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } },
        { index, function: { arguments: args.slice(0, 7) } },
        { index, function: { arguments: args.slice(7) } },
      ];
    });
    return sse([...chunks.map((tc) => ({ delta: { tool_calls: [tc] } })), { delta: {}, finish_reason: 'tool_calls' }]);
  }
  const results = messages.filter((m) => m.role === 'tool').map((m) => `${m.tool_call_id}=${m.content}`);
  const text = `ANSWER: ${results.join(',')}`;
  if (!stream) return { body: { id: 'y', object: 'chat.completion', created: 1, model: 'fake-model', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } };
  return sse([{ delta: { content: text.slice(0, 5) } }, { delta: { content: text.slice(5) } }, { delta: {}, finish_reason: 'stop' }]);
}

function sse(choices: Array<Record<string, unknown>>): FakeReply {
  const lines = choices.map((c) => `data: ${JSON.stringify({ id: 's', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices: [{ index: 0, finish_reason: null, ...c }] })}\n\n`);
  return { headers: { 'content-type': 'text/event-stream' }, body: `${lines.join('')}data: [DONE]\n\n` };
}

const server = useFakeServer(reply);

async function runOnce(stream: boolean) {
  const registry = createBuiltinRegistry();
  const fakes = fakePlugins();
  registry.registerAll(fakes.defs, 'test');
  const raw = {
    name: 'tools',
    tasks: { use: 'inline', tasks: [{ id: 't0', prompt: 'compute 12*34+5', answer: 413, split: 'test' }] },
    environment: { use: 'fake-env' },
    policies: { llm: { use: 'openai-compatible', baseURL: `${server.url}/v1`, model: 'fake-model', maxRetries: 0, stream } },
    agents: [
      {
        id: 'caller',
        role: 'Tool User',
        policy: 'llm',
        prompt: 'prompts/agent.liquid',
        tools: ['calculator', { use: 'mcp', command: [process.execPath, MCP_TEST_SERVER_FILE], include: ['add'] }],
        maxActions: 3,
      },
    ],
    coach: { use: 'fake-coach' },
    run: { steps: 0, eval: { atEnd: false }, report: false },
  };
  const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const runDir = await mkdtemp(join(tmpdir(), 'mappa-tools-'));
  dirs.push(runDir);
  const run = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger });
  await run.runner.train();
  await run.dispose();
  const files = (await readdir(join(runDir, 'episodes'))).filter((f) => f.startsWith('eval'));
  const episodes = (await readFile(join(runDir, 'episodes', files[0]!), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const metrics = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  return { episode: episodes[0], metrics: metrics[0] };
}

describe.each([false, true])('OpenAI tool calling through the runner (real openai client, loopback fake; stream=%s)', (stream) => {
  it('sends tools, runs the returned tool_calls (built-in and MCP) and sends the results back by call id', async () => {
    const { episode, metrics } = await runOnce(stream);
    const [first, second] = server.requests.filter((r) => r.path.endsWith('/chat/completions'));
    expect(first!.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['calculator', 'add']);
    expect(first!.body.tools[0]).toMatchObject({ type: 'function', function: { parameters: { type: 'object', required: ['expression'] } } });
    expect(Boolean(first!.body.stream)).toBe(stream);
    const sent = second!.body.messages;
    expect(sent.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool']);
    expect(sent[1].tool_calls.map((c: { id: string; function: { arguments: string } }) => [c.id, JSON.parse(c.function.arguments)])).toEqual([
      ['call_calc', { expression: '12*34+5' }],
      ['call_add', { a: 1, b: 2 }],
    ]);
    expect(sent.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'call_calc', content: '413' },
      { role: 'tool', tool_call_id: 'call_add', content: '3' },
    ]);
    const [a0, a1] = episode.actions;
    expect(a0.toolCalls.map((c: Record<string, unknown>) => [c['tool'], c['id'], c['status'], c['output'], c['arguments']])).toEqual([
      ['calculator', 'call_calc', 'ok', '413', { expression: '12*34+5' }],
      ['add', 'call_add', 'ok', '3', { a: 1, b: 2 }],
    ]);
    expect(a0.timings.toolMs).toBeGreaterThan(0);
    expect(a1.text).toBe('ANSWER: call_calc=413,call_add=3');
    expect(episode.actions).toHaveLength(2);
    expect(metrics['eval/tool_calls/valid_rate']).toBe(1);
  }, 30_000);
});
