import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../core/contracts/AgentSpec.js';
import type { ActionRecord } from '../../core/model/Action.js';
import type { AgentTurn } from '../../core/model/Episode.js';
import type { Task } from '../../core/model/Task.js';
import { PluginFactory } from '../../core/plugins/PluginFactory.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { MappaError } from '../../core/util/MappaError.js';
import { inferMathChatRole } from '../../environments/mathchat/mathchatRoles.js';
import { createMathChatEnvironment } from '../../environments/mathchat/mathchatEnvironmentPlugin.js';
import type { MathChatEnvironmentOptions } from '../../environments/mathchat/MathChatEnvironment.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { createBubblewrapSandbox } from '../../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.js';
import { agentSpec, describeEnvironmentConformance } from '../conformance/environmentConformance.js';
import { CannedSandbox, finished } from '../fakes/cannedSandbox.js';
import { countingSandbox, countingSandboxPlugin } from '../fakes/countingSandbox.js';

const task: Task = { id: 't1', split: 'test', prompt: 'What is 2+3?', groundTruth: '5', metadata: { taskType: 'arithmetic', difficulty: 1 } };
const solver = agentSpec({ id: 'solver', role: 'Problem Solver' });
const coder = agentSpec({ id: 'coder', role: 'Code Executor', tools: ['python'], maxActions: 2, reads: ['solver'] });
const verifier = agentSpec({ id: 'verifier', role: 'Verifier', reads: ['coder'], coachSeesGroundTruth: true });
const code = (src: string) => '```python\n' + src + '\n```';

// The real sandbox the pipeline uses by default (CI installs bubblewrap).
const bubblewrap = await createBubblewrapSandbox();
const work: string[] = [];
afterAll(async () => {
  for (const d of work) await rm(d, { recursive: true, force: true });
  await bubblewrap.dispose();
});

async function episode(options: Partial<MathChatEnvironmentOptions> = {}, t: Task = task) {
  const env = createMathChatEnvironment({ sandbox: bubblewrap, ...options });
  const workDir = await mkdtemp(join(tmpdir(), 'mappa-mc-'));
  work.push(workDir);
  return env.createEpisode(t, { episodeId: 'e', seed: 1, phase: 'train', workDir, signal: new AbortController().signal });
}

function turnOf(agent: AgentSpec, actions: ActionRecord[]): AgentTurn {
  return { agentId: agent.id, role: agent.role, actions, output: actions.at(-1)?.text ?? '' };
}

function action(agent: AgentSpec, index: number, text: string, extra: Partial<ActionRecord> = {}): ActionRecord {
  return {
    index, agentId: agent.id, role: agent.role, turnIndex: 0, inputText: '', contextIds: [], text, actionIds: [], logprobs: [], finishReason: 'stop',
    policyId: 'p', policyVersion: 0, toolCalls: [], toolOutput: '', filesWritten: [], extras: {}, timings: { generateMs: 0, toolMs: 0 }, ...extra,
  };
}

describeEnvironmentConformance('mathchat', {
  create: async () => createMathChatEnvironment({ sandbox: await createBubblewrapSandbox() }),
  task,
  agents: [solver, coder, verifier],
  toolAction: code('print(2+3)'),
  plainAction: '2+3=5',
  correctOutput: 'The answer is \\boxed{5}.',
});

describe('mathchat environment: Python tool loop', () => {
  it('runs each block in a fresh sandbox and returns the paper’s tool response', async () => {
    const sandbox = countingSandbox(bubblewrap);
    const ep = await episode({ sandbox });
    const r = await ep.executeTools(coder, { text: `Let me compute.\n${code('x = 2+3\nprint(x)')}\nand\n${code('print(x)')}`, index: 1 });
    expect(sandbox.runs).toBe(2);
    expect(r!.calls.map((c) => c.status)).toEqual(['ok', 'error']);
    expect(r!.message.role).toBe('user');
    const content = r!.message.content;
    expect(content.startsWith('<tool_response>\n5\n------\n[Execution Error]\n[stdout]: \n[stderr/error]: Traceback')).toBe(true);
    expect(content).toContain("NameError: name 'x' is not defined");
    expect(content.endsWith('\n</tool_response>')).toBe(true);
    expect(r!.extras).toMatchObject({ codeRan: false, codeErrors: 1, printed: '5', stdouts: ['5\n', ''] });
  });

  it('reports a timeout', async () => {
    const ep = await episode({ runTimeout: 1 });
    const t0 = performance.now();
    const r = await ep.executeTools(coder, { text: code('import time\ntime.sleep(20)'), index: 1 });
    expect(performance.now() - t0).toBeLessThan(8000);
    expect(r!.calls[0]!.status).toBe('timeout');
    expect(r!.message.content).toContain('[Execution TimeLimitExceeded]');
  });

  it('formats stderr on success, sandbox errors and custom templates', async () => {
    const canned = new CannedSandbox([finished('7\n', 'DeprecationWarning: x\n'), { status: 'SandboxError', message: 'bwrap: no user namespaces', files: {} }]);
    const ep = await episode({ sandbox: canned });
    const r = await ep.executeTools(coder, { text: code('print(7)') + code('print(8)'), index: 1 });
    expect(r!.message.content).toBe(
      '<tool_response>\n7\n[stderr]: DeprecationWarning: x\n------\n[Execution SandboxError]\n[stdout]: \n[stderr/error]: bwrap: no user namespaces\n</tool_response>',
    );
    expect(r!.calls.map((c) => c.status)).toEqual(['ok', 'sandbox-error']);

    const custom = await episode({
      sandbox: new CannedSandbox([finished('1\n'), finished('', 'boom', 1, 'Error')]),
      blockTemplate: '{% if ok %}ok:{{ stdout }}{% else %}{{ status }}/{{ exitCode }}{% endif %}',
      responseTemplate: 'Out: {{ output }} ({{ blocks | size }})',
      separator: ' | ',
    });
    const c = await custom.executeTools(coder, { text: code('print(1)') + code('raise SystemExit(1)'), index: 1 });
    expect(c!.message.content).toBe('Out: ok:1 | Error/1 (2)');
  });

  it('rejects a template that does not parse, naming the field', () => {
    expect(() => createMathChatEnvironment({ sandbox: bubblewrap, responseTemplate: '{% if %}', path: 'environment' })).toThrow(MappaError);
    expect(() => createMathChatEnvironment({ sandbox: bubblewrap, responseTemplate: '{% if %}', path: 'environment' })).toThrow(/environment\.responseTemplate/);
  });

  it('runs code only for agents with the tool, outside <think>, and caps the blocks per action', async () => {
    const sandbox = countingSandbox(bubblewrap);
    const ep = await episode({ sandbox, maxBlocks: 1 });
    expect(await ep.executeTools(solver, { text: code('print(1)'), index: 0 })).toBeUndefined();
    expect(await ep.executeTools(coder, { text: `<think>${code('print(1)')}</think> no code`, index: 1 })).toBeUndefined();
    expect(await ep.executeTools(coder, { text: '2+3=5', index: 1 })).toBeUndefined();
    const r = await ep.executeTools(coder, { text: code('print(1)') + code('print(2)'), index: 1 });
    expect(sandbox.runs).toBe(1);
    expect(r!.extras).toMatchObject({ skippedBlocks: 1, printed: '1' });
  });
});

describe('mathchat environment: observation, grading and coach evidence', () => {
  it('gives downstream agents the upstream output and its last tool output', async () => {
    const ep = await episode();
    const first = await ep.observe(solver, new Map());
    expect(first.vars).toMatchObject({ problem: 'What is 2+3?', previousOutput: '', previousToolResult: '' });
    const tool = await ep.executeTools(coder, { text: code('print(2+3)'), index: 1 });
    const coderTurn = turnOf(coder, [
      action(coder, 1, code('print(2+3)'), { toolCalls: tool!.calls, toolOutput: tool!.message.content, extras: tool!.extras! }),
      action(coder, 2, '5', { turnIndex: 1 }),
    ]);
    const obs = await ep.observe(verifier, new Map([['coder', coderTurn]]));
    expect(obs.vars).toMatchObject({
      previousOutput: '5',
      previousRole: 'Code Executor',
      previousToolResult: '5',
      previousToolResponse: '<tool_response>\n5\n</tool_response>',
    });
  });

  it.each([
    ['\\boxed{5}', true, true],
    ['I get \\boxed{5.0}', true, true],
    ['\\boxed{\\frac{10}{2}}', true, true],
    ['\\boxed{6}', true, false],
    ['5', false, false],
  ])('grades the final output %s (answered %s, correct %s)', async (output, answered, correct) => {
    const ep = await episode();
    const turns = new Map([
      ['solver', turnOf(solver, [action(solver, 0, '\\boxed{5}')])],
      ['verifier', turnOf(verifier, [action(verifier, 1, output)])],
    ]);
    const outcome = await ep.evaluate(turns);
    expect(outcome.success).toBe(answered);
    expect(outcome.correct).toBe(correct);
    expect(outcome.metrics).toMatchObject({ answered: answered ? 1 : 0, correct: correct ? 1 : 0 });
  });

  it('grades 0.5 against the answer 1/2 and leaves tasks without an answer ungraded', async () => {
    const half = await episode({}, { ...task, groundTruth: '1/2' });
    const out = await half.evaluate(new Map([['verifier', turnOf(verifier, [action(verifier, 0, '\\boxed{0.5}')])]]));
    expect(out).toMatchObject({ success: true, correct: true, answer: '0.5' });
    const open = await episode({}, { ...task, groundTruth: undefined });
    const o2 = await open.evaluate(new Map([['verifier', turnOf(verifier, [action(verifier, 0, '\\boxed{3}')])]]));
    expect(o2.correct).toBeUndefined();
    expect(o2.success).toBe(true);
  });

  it('puts the evidence the rule coach needs into coachContext, without the ground truth', async () => {
    const ep = await episode();
    const draft = action(solver, 0, '2+3=6');
    const tool = await ep.executeTools(coder, { text: code('print(2+4)'), index: 1 });
    const run = action(coder, 1, code('print(2+4)'), { toolCalls: tool!.calls, toolOutput: tool!.message.content, extras: tool!.extras! });
    const codeCtx = await ep.coachContext(coder, run, [draft]);
    expect(codeCtx).toMatchObject({ codeRan: true, codeErrors: 0, printed: '6', toolOutputs: ['6'], codeBlocks: ['print(2+4)\n'], draftAnswer: '6', draftExpression: '2+3' });
    expect(codeCtx).not.toHaveProperty('answer');
    const report = action(coder, 2, '6', { turnIndex: 1 });
    const final = action(verifier, 3, 'So \\boxed{6}');
    const ctx = await ep.coachContext(verifier, final, [draft, run, report]);
    expect(ctx).toMatchObject({ answer: '6', upstreamPrinted: '6', upstreamToolResult: '6', coderStated: '6', codeRan: false, toolOutputs: [] });
    expect(JSON.stringify(ctx)).not.toContain('"5"');
  });
});

describe('mathchat environment plugin', () => {
  it('creates its nested sandbox plugin and reports an unknown one by path', async () => {
    const registry = createBuiltinRegistry();
    const sandbox = countingSandbox(bubblewrap);
    registry.register(countingSandboxPlugin(sandbox), 'test');
    const run = { runDir: '/tmp', cacheDir: '/tmp', baseDir: '/tmp', seed: 0, signal: new AbortController().signal };
    const factory = new PluginFactory(registry, run, silentLogger);
    const env = await factory.create('environment', { use: 'mathchat', sandbox: { use: 'counting' }, runTimeout: 3 }, 'environment');
    const workDir = await mkdtemp(join(tmpdir(), 'mappa-mc-'));
    work.push(workDir);
    const ep = await env.createEpisode(task, { episodeId: 'e', seed: 1, phase: 'eval', workDir, signal: new AbortController().signal });
    await ep.executeTools(coder, { text: code('print(1)'), index: 0 });
    expect(sandbox.runs).toBe(1);
    // An unknown nested sandbox plugin: the error names the nested path.
    await expect(factory.create('environment', { use: 'mathchat', sandbox: { use: 'no-such-sandbox' } }, 'environment')).rejects.toThrow(/environment\.sandbox/);
  });
});

describe('inferMathChatRole', () => {
  it.each([
    ['Problem Solver', {}, 'solver'],
    ['generator', {}, 'solver'],
    ['Code Executor', {}, 'coder'],
    ['coder', {}, 'coder'],
    ['Verifier', {}, 'verifier'],
    ['refiner', {}, 'verifier'],
    ['Helper', { usesCode: true }, 'coder'],
    ['Helper', { isLast: true }, 'verifier'],
    ['Helper', {}, 'solver'],
    ['Helper', { overrides: { Helper: 'verifier' as const } }, 'verifier'],
  ])('%s %j → %s', (role, hints, expected) => {
    expect(inferMathChatRole(role, hints)).toBe(expected);
  });
});
