import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GenerateRequest, Generation, Policy } from '../../core/contracts/Policy.js';
import type { Message } from '../../core/model/Message.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import type { ResolvedPipeline } from '../../core/pipeline/ResolvedPipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { answersEquivalent } from '../../environments/mathchat/answers/answersEquivalent.js';
import { extractBoxed } from '../../environments/mathchat/answers/extractBoxed.js';
import { type Demonstration, generateMathChatDemonstrations } from '../../environments/mathchat/demonstrations/generateMathChatDemonstrations.js';
import { demonstrationsForPipeline } from '../../environments/mathchat/demonstrations/demonstrationsForPipeline.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';

const EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'mathchat');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const key = (messages: readonly Message[]) => JSON.stringify(messages.map((m) => [m.role, m.content]));

/** Replays the demonstration whose context is exactly the one the runner built; any other context is an error. */
class ReplayPolicy implements Policy {
  readonly trainable = false;
  readonly version = 0;
  misses = 0;
  constructor(
    readonly id: string,
    private readonly byContext: ReadonlyMap<string, string>,
  ) {}
  async generate(req: GenerateRequest): Promise<Generation> {
    const text = this.byContext.get(key(req.messages));
    if (text === undefined) {
      this.misses++;
      throw new Error(`no demonstration for context ${key(req.messages).slice(0, 300)}`);
    }
    const ids = Array.from(text, (c) => c.codePointAt(0)!);
    return { text, contextIds: [], tokenIds: ids, logprobs: ids.map(() => 0), finishReason: 'stop', policyVersion: 0 };
  }
}

function rawPipeline(workDir: string, tasks: Record<string, unknown>) {
  const agent = (id: string, role: string, extra: Record<string, unknown> = {}) => ({ id, role, policy: id, prompt: `prompts/tiny/${id}.liquid`, ...extra });
  return {
    name: 'mathchat-demo-test',
    seed: 5,
    tasks: { use: 'mathchat-generator', ...tasks },
    environment: { use: 'mathchat', sandbox: { use: 'bubblewrap' } },
    policies: { solver: { use: 'replay' }, coder: { use: 'replay' }, verifier: { use: 'replay' } },
    agents: [
      agent('solver', 'Problem Solver', { coachSeesGroundTruth: true }),
      agent('coder', 'Code Executor', { tools: ['python'], maxActions: 2, coachSeesGroundTruth: true }),
      agent('verifier', 'Verifier'),
    ],
    coach: { use: 'mathchat-rule' },
    run: {
      steps: 1,
      tasksPerStep: 16,
      samplesPerTask: 1,
      concurrency: 4,
      eval: { atEnd: false },
      report: false,
      outputDir: join(workDir, 'runs'),
      cacheDir: join(workDir, 'cache'),
      checkpointEvery: 0,
    },
  };
}

async function resolveWith(raw: Record<string, unknown>, byContext: Map<string, string>): Promise<ResolvedPipeline> {
  const registry = createBuiltinRegistry();
  registry.register(
    definePlugin({ kind: 'policy', name: 'replay', description: 'test', configSchema: z.strictObject({}), create: (_c, deps) => new ReplayPolicy(deps.id, byContext) }),
    'test',
  );
  const result = await validatePipeline(raw, { registry, baseDir: EXAMPLE_DIR });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.pipeline;
}

describe('SFT demonstrations', () => {
  it('follow the tiny prompts exactly, with the tool turn for the second Code Executor action', async () => {
    const work = await mkdtemp(join(tmpdir(), 'mappa-demos-'));
    dirs.push(work);
    const pipeline = await resolveWith(rawPipeline(work, { train: 30, test: 0 }), new Map());
    const { demonstrations } = await demonstrationsForPipeline(pipeline, { rates: { solver: { valueSlip: 0, wrongOperator: 0, numberSlip: 0, noAnswer: 0 }, coder: { noCode: 0, missingPrint: 0, wrongOperator: 0, copySlip: 0, reportSlip: 0 }, verifier: { unboxed: 0, copySlip: 0 } } });
    const first = demonstrations.filter((d) => d.taskId === 'train-0000');
    expect(first.map((d) => [d.agentId, d.turnIndex])).toEqual([['solver', 0], ['coder', 0], ['coder', 1], ['verifier', 0]]);
    const [s, c0, c1, v] = first as [Demonstration, Demonstration, Demonstration, Demonstration];
    const problem = (await import('../../environments/mathchat/tasks/mathchatGeneratorPlugin.js')).createMathChatGenerator({ train: 30, test: 0 }).problems('train')[0]!;
    expect(s.messages).toEqual([{ role: 'user', content: `Q: ${problem.prompt}\nSolver:` }]);
    expect(s.response).toMatch(/^[\d+\-*/()]+=[\d/]+$/);
    expect(c0.messages[0]!.content).toBe(`Q: ${problem.prompt}\nDraft: ${s.response}\nCoder:`);
    expect(c0.response).toBe('```python\nprint(' + problem.solution + ')\n```');
    expect(c1.messages).toHaveLength(3);
    expect(c1.messages[2]!.content).toMatch(/^<tool_response>\n.+\n<\/tool_response>$/);
    expect(answersEquivalent(c1.response, problem.answer)).toBe(true);
    expect(v.messages[0]!.content).toBe(`Q: ${problem.prompt}\nCoder: ${c1.response}\nOut: ${c1.response}\nVerifier:`);
    expect(v.response).toBe(`\\boxed{${c1.response}}`);
    // With every rate at 0, every episode ends with the right answer.
    const finals = demonstrations.filter((d) => d.agentId === 'verifier');
    expect(finals).toHaveLength(30);
    expect(demonstrations.every((d) => d.errors.length === 0)).toBe(true);
  });

  it('put mistakes in at the configured rates, deterministically', async () => {
    const { createMathChatGenerator } = await import('../../environments/mathchat/tasks/mathchatGeneratorPlugin.js');
    const { problemToTask } = await import('../../environments/mathchat/tasks/generateProblemSet.js');
    const problems = createMathChatGenerator({ train: 2000, test: 0 }).problems('train').map((p, i) => ({ task: problemToTask(p, 'train', i), solution: p.solution }));
    const pipeline = await resolveWith(rawPipeline('/tmp', { train: 1, test: 0 }), new Map());
    const rates = {
      solver: { wrongOperator: 0.1, numberSlip: 0.05, valueSlip: 0.2, noAnswer: 0.05 },
      coder: { noCode: 0.05, missingPrint: 0.1, wrongOperator: 0.1, copySlip: 0.1, reportSlip: 0.05 },
      verifier: { unboxed: 0.1, copySlip: 0.1 },
    };
    const t0 = performance.now();
    const set = await generateMathChatDemonstrations({ problems, agents: pipeline.agents, rates, seed: 11 });
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(20_000);
    const share = (agent: string, error: string, turnIndex = 0) => {
      const ds = set.demonstrations.filter((d) => d.agentId === agent && d.turnIndex === turnIndex);
      return ds.filter((d) => d.errors.includes(`${agent}.${error}`)).length / ds.length;
    };
    for (const [agent, errors] of Object.entries(rates)) {
      for (const [error, rate] of Object.entries(errors)) {
        if (agent === 'coder' && error === 'reportSlip') continue;
        expect(Math.abs(share(agent, error) - rate), `${agent}.${error}`).toBeLessThan(0.03);
      }
    }
    // Report slips happen only on reports (second actions that follow printed output).
    const reports = set.demonstrations.filter((d) => d.agentId === 'coder' && d.turnIndex === 1 && !d.response.startsWith('```'));
    const slipShare = reports.filter((d) => d.errors.includes('coder.reportSlip')).length / reports.length;
    expect(Math.abs(slipShare - 0.05)).toBeLessThan(0.03);
    expect(set.stats['solver']!['count']).toBe(2000);
    // Mistakes flow downstream: some final answers are wrong, most are right.
    const wrong = set.demonstrations
      .filter((d) => d.agentId === 'verifier')
      .filter((d) => {
        const box = extractBoxed(d.response);
        const p = problems.find((x) => x.task.id === d.taskId)!;
        return box === undefined || !answersEquivalent(box, p.task.groundTruth as string);
      }).length;
    expect(wrong / 2000).toBeGreaterThan(0.2);
    expect(wrong / 2000).toBeLessThan(0.6);
    const again = await generateMathChatDemonstrations({ problems: problems.slice(0, 50), agents: pipeline.agents, rates, seed: 11 });
    const other = await generateMathChatDemonstrations({ problems: problems.slice(0, 50), agents: pipeline.agents, rates, seed: 12 });
    const first50 = set.demonstrations.filter((d) => problems.slice(0, 50).some((p) => p.task.id === d.taskId));
    expect(again.demonstrations).toEqual(first50);
    expect(other.demonstrations.map((d) => d.response)).not.toEqual(first50.map((d) => d.response));
  });

  it('replayed through the real runner, match every context exactly, and the coach scores injected mistakes lower', async () => {
    const work = await mkdtemp(join(tmpdir(), 'mappa-demos-'));
    dirs.push(work);
    const byContext = new Map<string, string>();
    const raw = rawPipeline(work, { train: 16, test: 8 });
    const pipeline = await resolveWith(raw, byContext);
    // The runner records what a policy saw as `<role>\ncontent` lines when the policy does not render it itself.
    const asText = (messages: readonly Message[]) => messages.map((m) => `<${m.role}>\n${m.content}`).join('\n');
    const errorsOf = new Map<string, readonly string[]>();
    for (const split of ['train', 'test']) {
      const { demonstrations } = await demonstrationsForPipeline(pipeline, {
        split,
        rates: { solver: { wrongOperator: 0.2, valueSlip: 0.2 }, coder: { missingPrint: 0.2, wrongOperator: 0.2, reportSlip: 0.1 }, verifier: { unboxed: 0.15, copySlip: 0.15 } },
      });
      for (const d of demonstrations) {
        byContext.set(key(d.messages), d.response);
        errorsOf.set(`${d.agentId}|${asText(d.messages)}`, d.errors);
      }
    }
    const run = await createRun({ pipeline, runDir: join(work, 'run'), logger: silentLogger });
    const summary = await run.runner.train({ train: false });
    await run.dispose();
    const read = async (prefix: string) => {
      const files = (await readdir(join(work, 'run', 'episodes'))).filter((f) => f.startsWith(prefix));
      const text = (await Promise.all(files.map((f) => readFile(join(work, 'run', 'episodes', f), 'utf8')))).join('');
      return text.trim().split('\n').map((l) => JSON.parse(l));
    };
    const train = await read('train');
    const evalEps = await read('eval');
    expect(train).toHaveLength(16);
    expect(evalEps).toHaveLength(8);
    // No policy call missed: every context the runner built (prompts and real-Python tool turns) is a demonstration's.
    for (const ep of [...train, ...evalEps]) expect(ep.error, JSON.stringify(ep.error)).toBeUndefined();
    // Accuracy is the environment's own check of the final answers.
    const { createMathChatGenerator } = await import('../../environments/mathchat/tasks/mathchatGeneratorPlugin.js');
    const testProblems = createMathChatGenerator({ train: 16, test: 8 }).problems('test');
    const right = evalEps.filter((e: any) => {
      const box = extractBoxed(e.turns.at(-1).output);
      return box !== undefined && answersEquivalent(box, testProblems[Number(e.taskId.split('-')[1])]!.answer);
    }).length;
    expect(summary.metrics[0]!['eval/accuracy']).toBe(right / 8);
    // Every training action was coached, and actions carrying an injected mistake score lower than clean ones.
    const actions = train.flatMap((ep: any) => ep.actions);
    expect(actions.every((a: any) => a.coach?.coach === 'mathchat-rule')).toBe(true);
    const flawed: number[] = [];
    const clean: number[] = [];
    for (const a of actions) {
      const errors = errorsOf.get(`${a.agentId}|${a.inputText}`);
      expect(errors, a.inputText).toBeDefined();
      (errors!.length > 0 ? flawed : clean).push(a.coach.score);
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(flawed.length).toBeGreaterThan(3);
    expect(mean(flawed)).toBeLessThan(mean(clean) - 3);
  });
});
