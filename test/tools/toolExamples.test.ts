import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readPipelineFile } from '../../core/pipeline/loadPipelineFile.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { PluginFactory } from '../../core/plugins/PluginFactory.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { evaluateArithmetic } from '../../plugins/tools/calculator/evaluateArithmetic.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { startFakeServer } from '../fakes/fakeOpenAIServer.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'tools');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function load(file: string, edit: (raw: Record<string, any>) => void = () => undefined) {
  const raw = (await readPipelineFile(join(DIR, file))) as Record<string, any>;
  edit(raw);
  const result = await validatePipeline(raw, { registry: createBuiltinRegistry(), baseDir: DIR });
  if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
  return result.pipeline;
}

describe('examples/tools', () => {
  it('pipeline.yaml: the calculator is a function tool and the demonstrations use the real tool and executor', async () => {
    const pipeline = await load('pipeline.yaml', (raw) => (raw['tasks'] = { ...raw['tasks'], train: 60, test: 5 }));
    expect(pipeline.agents.map((a) => [a.id, a.tools, a.toolRefs?.map((t) => t.ref.use)])).toEqual([['caller', [], ['calculator']]]);
    const run = { runDir: DIR, cacheDir: DIR, baseDir: DIR, seed: 1, signal: new AbortController().signal };
    const factory = new PluginFactory(pipeline.registry, run, silentLogger);
    const source = await factory.create('demonstrations', { use: 'calculator-demonstrations', count: 60, mistakeRate: 0.5 }, 'warmStart.demonstrations');
    const { demonstrations, stats } = await source.demonstrations({ pipeline, seed: 1 });
    const counts = stats!['caller']!;
    expect(counts['none']! + counts['typo']! + counts['malformed']! + counts['skip']!).toBe(60);
    expect(counts['typo']! * counts['malformed']! * counts['skip']!).toBeGreaterThan(0);
    const tasks = await (await factory.create('tasks', pipeline.spec.tasks, 'tasks')).tasks('train');
    let checked = 0;
    for (const d of demonstrations.filter((x) => x.turnIndex === 1)) {
      const task = tasks.find((t) => t.id === d.taskId)!;
      const call = d.messages[1]!.content;
      const tool = d.messages[2]!;
      expect(d.tools?.map((t) => t.name)).toEqual(['calculator']);
      expect(d.messages[0]!.content).toBe(`Q: ${task.prompt}\nA:`);
      expect(tool.role).toBe('tool');
      if (call === `<tool_call>{"name":"calculator","arguments":{"expression":"${task.prompt}"}}</tool_call>`) {
        expect([tool.content, d.response]).toEqual([String(task.groundTruth), `ANSWER: ${task.groundTruth}`]);
        checked++;
      } else if (tool.content.startsWith('error:')) {
        expect(tool.content).toMatch(/^error: the arguments of calculator are not a JSON object|^error: the tool call could not be parsed/);
      } else {
        // A copy slip: the tool computed the slipped expression, and the answer repeats it.
        const slipped = JSON.parse(/"arguments":(\{.*\})\}<\/tool_call>/.exec(call)![1]!).expression as string;
        expect(tool.content).toBe(String(evaluateArithmetic(slipped)));
        expect(d.response).toBe(`ANSWER: ${tool.content}`);
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('pipeline.openai.yaml runs against a loopback OpenAI-compatible server that calls the calculator', async () => {
    const server = await startFakeServer((req) => {
      const messages = req.body.messages as Array<{ role: string; content: string | null }>;
      const expr = /Compute (\S+) exactly/.exec(messages[0]!.content!)![1]!;
      const last = messages.at(-1)!;
      const message =
        last.role === 'tool'
          ? { role: 'assistant', content: `ANSWER: ${last.content}` }
          : { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'calculator', arguments: JSON.stringify({ expression: expr }) } }] };
      return { body: { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message, finish_reason: 'stop' }] } };
    });
    const work = await mkdtemp(join(tmpdir(), 'mappa-tools-openai-'));
    dirs.push(work);
    try {
      const pipeline = await load('pipeline.openai.yaml', (raw) => {
        raw['policies'].caller.baseURL = `${server.url}/v1`;
        raw['tasks'] = { ...raw['tasks'], train: 3, test: 3 };
        raw['run'] = { ...raw['run'], outputDir: join(work, 'runs'), cacheDir: join(work, 'cache'), report: false, eval: { ...raw['run'].eval, tasks: 3 } };
      });
      const run = await createRun({ pipeline, runDir: join(work, 'run'), logger: silentLogger });
      const summary = await run.runner.train({ train: false });
      await run.dispose();
      const m = summary.metrics.at(-1)!;
      expect(m['eval/accuracy']).toBe(1);
      expect(m['eval/tool_calls/valid_rate']).toBe(1);
      expect(m['eval/tool_calls/function']).toBe(3);
    } finally {
      await server.close();
    }
  }, 60_000);
});
