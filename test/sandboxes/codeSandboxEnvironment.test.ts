import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../core/contracts/Sandbox.js';
import { PipelineValidationError } from '../../core/util/PipelineValidationError.js';
import { PluginFactory } from '../../core/plugins/PluginFactory.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createCodeSandboxEnvironment } from '../../environments/code-sandbox/CodeSandboxEnvironment.js';
import { CodeToolRunner } from '../../environments/code-sandbox/CodeToolRunner.js';
import { gradeAnswer } from '../../environments/code-sandbox/gradeAnswer.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { createBubblewrapSandbox } from '../../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.js';
import { createSandboxFusionSandbox } from '../../plugins/sandboxes/sandboxfusion/SandboxFusionSandbox.js';
import { safeReadFile } from '../../plugins/sandboxes/shared/workspaceFiles.js';
import { agentSpec, describeEnvironmentConformance } from '../conformance/environmentConformance.js';
import { CannedSandbox, finished } from '../fakes/cannedSandbox.js';
import { countingSandbox } from '../fakes/countingSandbox.js';
import { startFakeSandboxFusion } from '../fakes/fakeSandboxFusionServer.js';

const py = (code: string) => '```python\n' + code + '\n```';

describeEnvironmentConformance('code-sandbox (bubblewrap)', {
  create: async () => createCodeSandboxEnvironment({ languages: ['python', 'bash'] }, await createBubblewrapSandbox()),
  task: { id: 'sum', split: 'train', prompt: 'What is 6*7?', groundTruth: 42, metadata: {} },
  agents: [agentSpec({ id: 'solver', tools: ['python'] }), agentSpec({ id: 'verifier' })],
  toolAction: `Let me compute.\n${py('print(6*7)')}`,
  plainAction: 'The answer is \\boxed{41}.',
  correctOutput: 'So the result is \\boxed{42}.',
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createBubblewrapSandbox({ maxOutputBytes: 4096 });
});
afterAll(async () => {
  await sandbox.dispose?.();
});

describe('CodeToolRunner', () => {
  it('runs blocks in order in one workspace and formats the tool response', async () => {
    const runner = await CodeToolRunner.open(sandbox, { languages: ['python', 'bash'] });
    try {
      const r = (await runner.execute('coder', 0, `<think>${py('print("not run")')}</think>\n${py('open("x.txt","w").write("7")\nprint("wrote")')}\n\`\`\`bash\ncat x.txt; echo; echo oops >&2; exit 3\n\`\`\``))!;
      expect(r.calls.map((c) => [c.language, c.status, c.exitCode])).toEqual([['python', 'ok', 0], ['bash', 'error', 3]]);
      expect(r.message.role).toBe('user');
      expect(r.message.content).toContain('<tool_response>\nwrote\n</tool_response>');
      expect(r.message.content).toContain('Exit code 3.\n7\n[stderr]\noops');
      expect(r.message.content).not.toContain('not run');
      expect(r.message.content).toContain('Files written: x.txt');
      expect(r.filesWritten.map((f) => [f.path, f.writtenBy, f.actionIndex])).toEqual([['x.txt', 'coder', 0]]);
      expect(r.extras).toMatchObject({ codeBlocks: 2, ran: 2, errors: 1, timeouts: 0 });
      expect(await runner.execute('coder', 1, 'no code, final answer')).toBeUndefined();
    } finally {
      await runner.close();
    }
  });

  it('stops after a failing block, caps the blocks per action and reports timeouts and truncation', async () => {
    const runner = await CodeToolRunner.open(sandbox, { runTimeout: 2, maxBlocksPerAction: 2, outputLimit: 200 });
    try {
      const r = (await runner.execute('a', 0, [py('import time\nprint("start")\ntime.sleep(10)'), py('print(2)'), py('print(3)')].join('\n')))!;
      expect(r.calls).toHaveLength(1);
      expect(r.calls[0]!.status).toBe('timeout');
      expect(r.message.content).toContain('Execution timed out after 2 s.');
      expect(r.message.content).toContain('start');
      expect(r.message.content).toContain('(2 more code blocks not run.)');
      const flood = (await runner.execute('a', 1, py('print("x" * 100000)')))!;
      expect(flood.message.content).toContain('[output truncated]');
      expect(flood.message.content.length).toBeLessThan(1000);
      const cont = await CodeToolRunner.open(sandbox, { maxBlocksPerAction: 2, stopOnError: false });
      const both = (await cont.execute('a', 0, [py('raise SystemExit(1)'), py('print(2)'), py('print(3)')].join('\n')))!;
      expect(both.calls.map((c) => c.status)).toEqual(['error', 'ok']);
      expect(both.message.content).toContain('(1 more code block not run.)');
      await cont.close();
    } finally {
      await runner.close();
    }
  });

  it('uses a custom Liquid template and role', async () => {
    const runner = await CodeToolRunner.open(sandbox, {
      template: '{% for r in results %}[{{ r.language }}:{{ r.status }}:{{ r.exitCode }}] {{ r.stdout | strip }}{% endfor %}',
      messageRole: 'tool',
    });
    try {
      const r = (await runner.execute('a', 0, py('print(40 + 2)')))!;
      expect(r.message).toEqual({ role: 'tool', content: '[python:ok:0] 42' });
    } finally {
      await runner.close();
    }
  });

  it('hands files between agents of an episode (pickle, no base64 round-trip) and attributes them', async () => {
    const runner = await CodeToolRunner.open(sandbox, { seedFiles: { 'train.csv': Buffer.from('x,y\n1,2\n3,4\n') } });
    try {
      await runner.execute('planner', 0, py('import pickle, csv\nrows = list(csv.DictReader(open("train.csv")))\npickle.dump(rows, open("rows.pkl", "wb"))'));
      const r = (await runner.execute('coder', 1, py('import pickle\nrows = pickle.load(open("rows.pkl", "rb"))\nprint(sum(int(r["y"]) for r in rows))\nopen("submission.csv", "w").write("6\\n")')))!;
      expect(r.calls[0]!.output.trim()).toBe('6');
      expect(runner.files().map((f) => [f.path, f.writtenBy])).toEqual([['rows.pkl', 'planner'], ['submission.csv', 'coder'], ['train.csv', 'environment']]);
      expect((await safeReadFile(runner.workspaceDir, 'submission.csv'))?.toString()).toBe('6\n');
    } finally {
      await runner.close();
    }
  });

  it('stateless: every block is a fresh sandbox run, nothing persists and no files are attributed', async () => {
    const counted = countingSandbox(sandbox);
    const runner = CodeToolRunner.stateless(counted, { stopOnError: false });
    const r = (await runner.run('a', 0, [py('x = 1\nopen("f.txt", "w").write("1")'), py('import os\nprint(os.path.exists("f.txt"))\nprint(x)')].join('\n')))!;
    expect(counted.runs).toBe(2);
    expect(r.runs.map((b) => [b.index, b.status, b.runStatus])).toEqual([[0, 'ok', 'Finished'], [1, 'error', 'Error']]);
    expect(r.runs[1]!.stdout).toBe('False\n');
    expect(r.runs[1]!.stderr).toContain("NameError: name 'x' is not defined");
    expect(r.filesWritten).toEqual([]);
    expect(runner.files()).toEqual([]);
    expect(() => runner.workspaceDir).toThrow(/stateless/);
    await runner.close();
  });

  it('counts a run that finished with a non-zero exit as an error, and a sandbox failure as a sandbox error', async () => {
    const canned = new CannedSandbox([finished('out\n', '', 2), { status: 'SandboxError', message: 'no namespaces', files: {} }]);
    const runner = CodeToolRunner.stateless(canned, { stopOnError: false });
    const r = (await runner.execute('a', 0, py('print(1)') + py('print(2)')))!;
    expect(r.calls.map((c) => [c.status, c.exitCode, c.output])).toEqual([['error', 2, 'out'], ['sandbox-error', undefined, 'no namespaces']]);
    expect(r.message.content).toContain('Exit code 2.');
    expect(r.message.content).toContain('Sandbox error: no namespaces');
    expect(runner.stats).toMatchObject({ runs: 2, errors: 1, sandboxErrors: 1 });
  });

  it('emulates a workspace on a sandbox without one (SandboxFusion)', async () => {
    const server = await startFakeSandboxFusion(sandbox);
    const runner = await CodeToolRunner.open(createSandboxFusionSandbox({ baseURL: server.url }), { seedFiles: { 'in.txt': Buffer.from('5') } });
    try {
      await runner.execute('a', 0, py('open("out.txt", "w").write(str(int(open("in.txt").read()) * 2))'));
      const r = (await runner.execute('b', 1, py('print(open("out.txt").read())')))!;
      expect(r.calls[0]!.output.trim()).toBe('10');
      expect(runner.files().map((f) => [f.path, f.writtenBy])).toEqual([['in.txt', 'environment'], ['out.txt', 'a']]);
    } finally {
      await runner.close();
      await server.close();
    }
  });
});

describe('code-sandbox environment', () => {
  it('is built from a pipeline config with a nested sandbox, validated by path', async () => {
    const registry = createBuiltinRegistry();
    const run = { runDir: tmpdir(), cacheDir: tmpdir(), baseDir: tmpdir(), seed: 1, signal: new AbortController().signal };
    const factory = new PluginFactory(registry, run, silentLogger);
    await expect(factory.create('environment', { use: 'code-sandbox', sandbox: { use: 'local-unsafe' } }, 'environment')).rejects.toSatisfy(
      (err: unknown) => err instanceof PipelineValidationError && err.message.includes('environment.sandbox.isolation'),
    );
    await expect(factory.create('environment', { use: 'code-sandbox', sandbox: { use: 'bubblewrap', runTimeout: -1 } }, 'environment')).rejects.toThrow(/runTimeout/);
    const env = await factory.create('environment', { use: 'code-sandbox', sandbox: { use: 'bubblewrap', maxProcesses: 32 }, runTimeout: 5 }, 'environment');
    expect(env.name).toBe('code-sandbox');
    await env.dispose?.();
  });

  it('copies task files in, restricts languages per agent, gives the coach file context and grades', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-envtask-'));
    await writeFile(join(dir, 'numbers.txt'), '1 2 3 4');
    const env = await createCodeSandboxEnvironment({ languages: ['python', 'bash'], templateFile: 'resp.liquid', keepWorkspace: true }, sandbox, { baseDir: dir });
    await writeFile(join(dir, 'resp.liquid'), '{% for r in results %}OUT={{ r.stdout | strip }}{% endfor %}');
    const ep = await env.createEpisode(
      { id: 't', split: 'train', prompt: 'sum', groundTruth: { answer: '10' }, metadata: { files: { 'data/numbers.txt': 'numbers.txt' } } },
      { episodeId: 'e', seed: 1, phase: 'train', workDir: dir, signal: new AbortController().signal },
    );
    try {
      const coder = agentSpec({ id: 'coder', tools: ['bash'] });
      const obs = await ep.observe(coder, new Map());
      expect(obs.vars.files).toEqual([{ path: 'data/numbers.txt', bytes: 7, writtenBy: 'environment' }]);
      expect(await ep.executeTools(coder, { text: py('print(1)'), index: 0 })).toBeUndefined();
      const r = (await ep.executeTools(coder, { text: '```bash\necho $(( $(tr " " "+" < data/numbers.txt) )) | tee total.txt\n```', index: 1 }))!;
      expect(r.message.content).toBe('OUT=10');
      const action = { toolCalls: r.calls, filesWritten: r.filesWritten } as never;
      const ctx = await ep.coachContext(agentSpec({ id: 'verifier' }), action, []);
      expect(ctx).toMatchObject({ codeRuns: [{ language: 'bash', status: 'ok', exitCode: 0 }], filesWrittenByAction: ['total.txt'], filesFromEarlierAgents: ['total.txt'] });
      const outcome = await ep.evaluate(new Map([['coder', { agentId: 'coder', role: 'c', actions: [], output: 'Total: \\boxed{10}' }]]));
      expect(outcome).toMatchObject({ success: true, correct: true, answer: '10', metrics: { codeRuns: 1, codeErrors: 0, files: 2 } });
      expect((await ep.artifacts()).find((a) => a.path === 'total.txt')?.writtenBy).toBe('coder');
      await ep.close();
      expect(await readFile(join(dir, 'workspace', 'total.txt'), 'utf8')).toBe('10\n');
    } finally {
      await ep.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('grades numeric and text answers', () => {
    const p = '\\\\boxed\\{([^{}]*)\\}';
    expect(gradeAnswer('\\boxed{1} then \\boxed{3.0000000001}', 3, p, 1e-6)).toEqual({ success: true, correct: true, answer: '3.0000000001' });
    expect(gradeAnswer('\\boxed{4}', '3', p, 1e-6)).toMatchObject({ correct: false });
    expect(gradeAnswer('\\boxed{ Paris. }', 'paris', p, 0)).toMatchObject({ correct: true });
    expect(gradeAnswer('no answer', 3, p, 0)).toEqual({ success: false });
    expect(gradeAnswer('\\boxed{7}', undefined, p, 0)).toEqual({ success: true, answer: '7' });
  });

  it('reads the template file relative to the pipeline directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-envtpl-'));
    try {
      await writeFile(join(dir, 't.liquid'), '{{ results.size }} run(s)');
      const env = await createCodeSandboxEnvironment({ templateFile: 't.liquid' }, sandbox, { baseDir: dir });
      const ep = await env.createEpisode({ id: 't', split: 'train', prompt: '', metadata: {} }, { episodeId: 'e', seed: 1, phase: 'train', workDir: dir, signal: new AbortController().signal });
      const r = await ep.executeTools(agentSpec({ id: 'a', tools: ['code'] }), { text: py('pass'), index: 0 });
      expect(r?.message.content).toBe('1 run(s)');
      await ep.close();
      expect(await readFile(join(dir, 't.liquid'), 'utf8')).toContain('results');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
