import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../core/contracts/AgentSpec.js';
import type { CoachInput } from '../../core/contracts/Coach.js';
import type { ActionRecord } from '../../core/model/Action.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import { createMathChatRuleCoach } from '../../coaches/mathchat-rule/mathchatRuleCoachPlugin.js';
import { ExpressionSandbox } from '../../environments/mathchat/demonstrations/ExpressionSandbox.js';
import { createMathChatEnvironment } from '../../environments/mathchat/mathchatEnvironmentPlugin.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import type { RunCodeResponse, Sandbox } from '../../core/contracts/Sandbox.js';
import { describeCoachConformance } from '../conformance/coachConformance.js';
import { agentSpec } from '../conformance/environmentConformance.js';

const code = (src: string) => '```python\n' + src + '\n```';

interface Scenario {
  readonly problem: string;
  readonly answer: string;
  readonly solver: string;
  /** Code Executor actions (the second one is generated only after a code run). */
  readonly coder: readonly string[];
  readonly verifier: string;
  /** Agents whose coach sees the ground truth (default: only the Verifier, as in the paper). */
  readonly gtFor?: readonly string[];
  readonly sandbox?: Sandbox;
}

/** Plays a scenario through the real environment (Python predicted exactly) and builds each action's CoachInput. */
async function play(s: Scenario): Promise<CoachInput[]> {
  const gtFor = new Set(s.gtFor ?? ['verifier']);
  const agents: AgentSpec[] = [
    agentSpec({ id: 'solver', role: 'Problem Solver' }),
    agentSpec({ id: 'coder', role: 'Code Executor', tools: ['python'], maxActions: 2, reads: ['solver'] }),
    agentSpec({ id: 'verifier', role: 'Verifier', reads: ['coder'] }),
  ];
  const env = createMathChatEnvironment({ sandbox: s.sandbox ?? new ExpressionSandbox() });
  const task = { id: 't', split: 'train', prompt: s.problem, groundTruth: s.answer, metadata: { taskType: 'arithmetic' } };
  const ep = await env.createEpisode(task, { episodeId: 'e', seed: 0, phase: 'train', workDir: '/nonexistent', signal: new AbortController().signal });
  const texts: Array<[AgentSpec, string[]]> = [
    [agents[0]!, [s.solver]],
    [agents[1]!, [...s.coder]],
    [agents[2]!, [s.verifier]],
  ];
  const records: ActionRecord[] = [];
  const inputs: CoachInput[] = [];
  for (const [position, [agent, actions]] of texts.entries()) {
    for (const [turnIndex, text] of actions.entries()) {
      const tool = await ep.executeTools(agent, { text, index: records.length });
      const rec: ActionRecord = {
        index: records.length, agentId: agent.id, role: agent.role, turnIndex, inputText: '', contextIds: [], text, actionIds: [], logprobs: [],
        finishReason: 'stop', policyId: 'p', policyVersion: 0, toolCalls: tool?.calls ?? [], toolOutput: tool?.message.content ?? '',
        filesWritten: [], extras: tool?.extras ?? {}, timings: { generateMs: 0, toolMs: 0 },
      };
      const extras = await ep.coachContext(agent, rec, records);
      inputs.push({
        task: { id: task.id, prompt: task.prompt, metadata: task.metadata },
        agent: { id: agent.id, role: agent.role, position, count: 3 },
        agentInput: '',
        action: text,
        actionRecord: rec,
        ...(rec.toolOutput ? { toolOutput: rec.toolOutput } : {}),
        previousActions: [...records],
        ...(gtFor.has(agent.id) ? { groundTruth: task.groundTruth } : {}),
        extras,
      });
      records.push(rec);
      if (!tool) break;
    }
  }
  return inputs;
}

async function scores(s: Scenario, config: Parameters<typeof createMathChatRuleCoach>[0] = {}): Promise<CoachEvaluation[]> {
  const coach = createMathChatRuleCoach(config);
  return Promise.all((await play(s)).map((i) => coach.evaluate(i)));
}

const rules = (evals: CoachEvaluation[]) => evals.map((e) => `${e.details?.['rule']}:${e.score}`);
const q = 'What is 37+45?';
const word = 'Ann has 12 apples and gets 5 more. How many apples now?';
const ALL_GT = ['solver', 'coder', 'verifier'];

describe('mathchat-rule coach: table of cases', () => {
  it.each<[string, Scenario, Record<string, unknown>, string[]]>([
    ['everything right', { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37+45)'), '82'], verifier: '\\boxed{82}', gtFor: ALL_GT }, {},
      ['solverCorrect:10', 'codeCorrect:10', 'reportCorrect:9', 'verifierCorrect:10']],
    ['solver arithmetic slip, right expression', { problem: q, answer: '82', solver: '37+45=83', coder: [code('print(37+45)'), '82'], verifier: '\\boxed{82}', gtFor: ALL_GT }, {},
      ['solverSetupRight:6', 'codeCorrect:10', 'reportCorrect:9', 'verifierCorrect:10']],
    ['wrong operator in code, Verifier copies it', { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37-45)'), '-8'], verifier: '\\boxed{-8}', gtFor: ALL_GT }, {},
      ['solverCorrect:10', 'codeWrong:1', 'reportFaithfulWrong:4', 'verifierCopiedWrong:4']],
    ['Verifier slips on a right tool output', { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37+45)'), '82'], verifier: '\\boxed{83}', gtFor: ALL_GT }, {},
      ['solverCorrect:10', 'codeCorrect:10', 'reportCorrect:9', 'verifierOverrodeRight:0']],
    ['Verifier corrects a wrong tool output', { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37-45)'), '-8'], verifier: '\\boxed{82}', gtFor: ALL_GT }, {},
      ['solverCorrect:10', 'codeWrong:1', 'reportFaithfulWrong:4', 'verifierCorrect:10']],
    ['unboxed final answer', { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37+45)'), '82'], verifier: '82', gtFor: ALL_GT }, {},
      ['solverCorrect:10', 'codeCorrect:10', 'reportCorrect:9', 'verifierUnboxed:1']],
    ['missing print, then a retry with print', { problem: q, answer: '82', solver: '37+45=82', coder: [code('37+45'), code('print(37+45)')], verifier: '\\boxed{82}', gtFor: ALL_GT }, {},
      ['solverCorrect:10', 'codeNoOutput:3', 'codeCorrect:10', 'verifierCorrect:10']],
    ['code that crashes', { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37/0)'), '82'], verifier: '\\boxed{82}', gtFor: ALL_GT }, {},
      ['solverCorrect:10', 'codeError:2', 'reportBlindCorrect:8', 'verifierCorrect:10']],
    ['no code at all', { problem: q, answer: '82', solver: '37+45=82', coder: ['82'], verifier: '\\boxed{82}', gtFor: ALL_GT }, {},
      ['solverCorrect:10', 'noCode:2', 'verifierCorrect:10']],
    ['report misquotes the printed number', { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37+45)'), '28'], verifier: '\\boxed{82}', gtFor: ALL_GT }, {},
      ['solverCorrect:10', 'codeCorrect:10', 'reportSlip:2', 'verifierCorrect:10']],
    ['solver with no answer', { problem: q, answer: '82', solver: 'let me think', coder: [code('print(37+45)'), '82'], verifier: '\\boxed{82}', gtFor: ALL_GT }, {},
      ['solverNoAnswer:1', 'codeCorrect:10', 'reportCorrect:9', 'verifierCorrect:10']],
    ['solver writes only the expression', { problem: q, answer: '82', solver: '37+45', coder: [code('print(37+45)'), '82'], verifier: '\\boxed{82}', gtFor: ALL_GT }, {},
      ['solverSetupRight:6', 'codeCorrect:10', 'reportCorrect:9', 'verifierCorrect:10']],
    ['solver writes a wrong bare expression', { problem: q, answer: '82', solver: '37-45', coder: [code('print(37+45)'), '82'], verifier: '\\boxed{82}', gtFor: ALL_GT }, {},
      ['solverNoAnswer:1', 'codeCorrect:10', 'reportCorrect:9', 'verifierCorrect:10']],
    ['fractions: 1.25 is 5/4', { problem: 'What is 1/2+3/4?', answer: '5/4', solver: '1/2+3/4=5/4', coder: [code('print(1/2+3/4)'), '1.25'], verifier: '\\boxed{1.25}', gtFor: ALL_GT }, {},
      ['solverCorrect:10', 'codeCorrect:10', 'reportCorrect:9', 'verifierCorrect:10']],
    // As in the paper: ground truth only for the Verifier. The coach works out plain arithmetic itself…
    ['paper visibility, arithmetic problem', { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37-45)'), '-8'], verifier: '\\boxed{-8}' }, {},
      ['solverCorrect:10', 'codeWrong:1', 'reportFaithfulWrong:4', 'verifierCopiedWrong:4']],
    // …and cross-checks word problems.
    ['paper visibility, word problem, consistent', { problem: word, answer: '17', solver: '12+5=17', coder: [code('print(12+5)'), '17'], verifier: '\\boxed{17}' }, {},
      ['solverConsistent:6', 'codeAgrees:7', 'reportFaithful:6', 'verifierCorrect:10']],
    ['paper visibility, word problem, copy slip in code', { problem: word, answer: '17', solver: '12+5=17', coder: [code('print(13+5)'), '18'], verifier: '\\boxed{18}' }, {},
      ['solverConsistent:6', 'codeDisagrees:3', 'reportFaithful:6', 'verifierCopiedWrong:4']],
    ['paper visibility, word problem, inconsistent draft', { problem: word, answer: '17', solver: '12+5=18', coder: [code('print(12+5)'), '17'], verifier: '\\boxed{17}' }, {},
      ['solverInconsistent:3', 'codeDisagrees:5', 'reportFaithful:6', 'verifierCorrect:10']],
    ['no reference for anyone', { problem: word, answer: '17', solver: '12+5=17', coder: [code('print(12+5)'), '17'], verifier: '\\boxed{17}', gtFor: [] }, {},
      ['solverConsistent:6', 'codeAgrees:7', 'reportFaithful:6', 'verifierMatchesTool:8']],
    ['solveArithmetic off', { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37+45)'), '82'], verifier: '\\boxed{82}', gtFor: [] }, { solveArithmetic: false },
      ['solverConsistent:6', 'codeAgrees:7', 'reportFaithful:6', 'verifierMatchesTool:8']],
    ['score overrides', { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37-45)'), '-8'], verifier: '\\boxed{-8}', gtFor: ALL_GT }, { scores: { verifierCopiedWrong: 3, codeWrong: 0 } },
      ['solverCorrect:10', 'codeWrong:0', 'reportFaithfulWrong:4', 'verifierCopiedWrong:3']],
  ])('%s', async (_name, scenario, config, expected) => {
    expect(rules(await scores(scenario, config))).toEqual(expected);
  });

  it('blames the Code Executor, not the Verifier, when the Verifier copies a wrong tool output', async () => {
    const evals = await scores({ problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37-45)'), '-8'], verifier: '\\boxed{-8}' });
    const [, codeEval, , verifierEval] = evals;
    expect(codeEval!.score).toBeLessThan(verifierEval!.score);
    expect(verifierEval!.outcome).toEqual({ name: 'ANSWER_CORRECT', value: 0 });
    expect(verifierEval!.details?.['blame']).toBe('coder');
    expect(verifierEval!.rationale).toMatch(/copied the Code Executor's output -8/);
    expect(codeEval!.rationale).toMatch(/printed -8, not 82/);
  });

  it('gives ANSWER_CORRECT only with the ground truth', async () => {
    const withGt = await scores({ problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37+45)'), '82'], verifier: '\\boxed{82}' });
    expect(withGt.at(-1)!.outcome).toEqual({ name: 'ANSWER_CORRECT', value: 1 });
    expect(withGt.slice(0, -1).every((e) => e.outcome === undefined)).toBe(true);
    const noGt = await scores({ problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37+45)'), '82'], verifier: '\\boxed{82}', gtFor: [] });
    expect(noGt.at(-1)!.outcome).toBeUndefined();
  });

  it('treats a failing sandbox as neutral, not as the agent’s error', async () => {
    const broken: Sandbox = { name: 'broken', run: async (): Promise<RunCodeResponse> => ({ status: 'SandboxError', message: 'no namespaces', files: {} }) };
    const evals = await scores({ problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37+45)'), '82'], verifier: '\\boxed{82}', sandbox: broken, gtFor: ALL_GT });
    expect(evals[1]!.details?.['rule']).toBe('sandboxError');
    expect(evals[1]!.score).toBe(5);
  });
});

describe('mathchat-rule coach: ablation without tool output (experiment 3)', () => {
  it('can no longer see wrong code or assign blame', async () => {
    const scenario: Scenario = { problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37-45)'), '-8'], verifier: '\\boxed{-8}', gtFor: ALL_GT };
    const blind = await scores(scenario, { useToolOutput: false });
    expect(rules(blind)).toEqual(['solverCorrect:10', 'codeBlind:6', 'reportBlindWrong:3', 'verifierWrong:2']);
    const [, codeEval, , verifierEval] = blind;
    // The misassignment the experiment measures: the culprit now outscores the agent that copied its result.
    expect(codeEval!.score).toBeGreaterThan(verifierEval!.score);
    expect(verifierEval!.details?.['blame']).toBeUndefined();
    expect(codeEval!.rationale).toMatch(/tool output not shown/);
  });

  it('still sees code that never prints and numbers copied wrong', async () => {
    const noPrint = await scores({ problem: q, answer: '82', solver: '37+45=82', coder: [code('37+45'), code('print(37+45)')], verifier: '\\boxed{82}', gtFor: ALL_GT }, { useToolOutput: false });
    expect(rules(noPrint).slice(1, 3)).toEqual(['codeBlindNoPrint:3', 'codeBlind:6']);
    const slip = await scores({ problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37+46)'), '83'], verifier: '\\boxed{83}', gtFor: ALL_GT }, { useToolOutput: false });
    expect(rules(slip)[1]).toBe('codeBlind:4');
    expect(slip[1]!.rationale).toMatch(/46/);
  });
});

describe('mathchat-rule coach: plugin behaviour', () => {
  it('is registered and deterministic, and collects its own evidence when extras are missing', async () => {
    expect(createBuiltinRegistry().get('coach', 'mathchat-rule')).toBeDefined();
    const inputs = await play({ problem: q, answer: '82', solver: '37+45=82', coder: [code('print(37-45)'), '-8'], verifier: '\\boxed{-8}' });
    const coach = createMathChatRuleCoach();
    const withExtras = await Promise.all(inputs.map((i) => coach.evaluate(i)));
    const without = await Promise.all(inputs.map((i) => coach.evaluate({ ...i, extras: {} })));
    expect(without.map((e) => [e.score, e.rationale])).toEqual(withExtras.map((e) => [e.score, e.rationale]));
    expect(coach.stats()).toMatchObject({ calls: 8, withGroundTruth: 2, withProblemValue: 6 });
    for (const e of withExtras) {
      expect(e.flags).toEqual({ repaired: false, fallback: false, cached: false });
      expect(e.coach).toBe('mathchat-rule');
      expect(e.rationale).toMatch(/\[rule \w+, score \d+\]$/);
    }
  });

  it('rejects unknown score names and out-of-range scores', () => {
    expect(() => createMathChatRuleCoach({ scores: { nope: 3 } as never })).toThrow();
    expect(() => createMathChatRuleCoach({ scores: { codeWrong: 11 } })).toThrow();
  });
});

describeCoachConformance('mathchat-rule', { create: async () => createMathChatRuleCoach(), deterministic: true });
describeCoachConformance('mathchat-rule (no tool output)', { create: async () => createMathChatRuleCoach({ useToolOutput: false }), deterministic: true });
