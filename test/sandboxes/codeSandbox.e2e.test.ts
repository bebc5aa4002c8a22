import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('code-sandbox environment in the runner (scripted policies, bubblewrap)', () => {
  it('runs agent code, feeds the tool response back, attributes files and grades the answer', async () => {
    const registry = createBuiltinRegistry();
    registry.registerAll(fakePlugins().defs, 'test');
    const raw = tinyPipeline({
      tasks: { use: 'inline', tasks: [{ id: 'm1', prompt: 'compute 6*7', answer: 42, split: 'train' }, { id: 'm2', prompt: 'compute 6*7', answer: 42, split: 'test' }] },
      environment: { use: 'code-sandbox', languages: ['python'], runTimeout: 5 },
      policies: {
        coder: {
          use: 'scripted',
          rules: [{ match: '<tool_response>\\n42', reply: 'The code printed 42. \\boxed{42}' }],
          replies: ['```python\nopen("result.txt", "w").write(str(6*7))\nprint(6*7)\n```'],
        },
        checker: { use: 'scripted', replies: ['```python\nprint(open("result.txt").read())\n```', 'Confirmed: \\boxed{42}'] },
      },
      agents: [
        { id: 'coder', role: 'Code Executor', policy: 'coder', prompt: 'prompts/agent.liquid', tools: ['python'], maxActions: 3, train: false },
        { id: 'checker', role: 'Verifier', policy: 'checker', prompt: 'prompts/agent.liquid', tools: ['python'], maxActions: 2, train: false },
      ],
      run: { steps: 1, tasksPerStep: 1, samplesPerTask: 1, concurrency: 1, eval: { every: 0 }, checkpointEvery: 0, report: false },
    });
    const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const runDir = await mkdtemp(join(tmpdir(), 'mappa-run-'));
    dirs.push(runDir);
    const run = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger });
    await run.runner.train();
    await run.dispose();
    const file = (await readdir(join(runDir, 'episodes'))).find((f) => f.startsWith('train-step-0001'))!;
    const episode = JSON.parse((await readFile(join(runDir, 'episodes', file), 'utf8')).trim().split('\n')[0]!);
    expect(episode.error).toBeUndefined();
    const [first, second, third, fourth] = episode.actions;
    expect(first.toolCalls).toMatchObject([{ tool: 'code', language: 'python', status: 'ok', exitCode: 0 }]);
    expect(first.toolOutput).toContain('<tool_response>\n42\n</tool_response>');
    expect(first.filesWritten).toMatchObject([{ path: 'result.txt', writtenBy: 'coder', actionIndex: 0 }]);
    expect(second.text).toContain('\\boxed{42}');
    expect(second.toolCalls).toEqual([]);
    expect(third.agentId).toBe('checker');
    expect(third.toolOutput).toContain('42');
    expect(fourth.text).toContain('Confirmed');
    expect(episode.outcome).toMatchObject({ success: true, correct: true, answer: '42', metrics: { codeRuns: 2, codeErrors: 0 } });
    expect(episode.artifacts).toMatchObject([{ path: 'result.txt', writtenBy: 'coder' }]);
  });
});
