import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ActionRecord } from '../../core/model/Action.js';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { createMathChatGenerator } from '../../environments/mathchat/tasks/mathchatGeneratorPlugin.js';
import {
  auc,
  blameStats,
  groupIdentity,
  groundTruthOf,
  labelEpisodes,
  loadRun,
  meanCurve,
  metricCurve,
  oracle,
  rescore,
  rolloutsToTarget,
  summarize,
} from '../../examples/mathchat/experiments/analysis.js';
import { buildReport, fillBlocks } from '../../examples/mathchat/experiments/report.js';
import { isRunFinished } from '../../examples/mathchat/experiments/runStatus.js';

const TASKS = { use: 'mathchat-generator', train: 30, test: 10, seed: 0, difficultyMix: [1, 0, 0] as [number, number, number] };
let taskId = '';
let prompt = '';
let truth = '';

function action(p: Partial<ActionRecord> & Pick<ActionRecord, 'index' | 'agentId' | 'role' | 'text'>): ActionRecord {
  return {
    turnIndex: 0,
    inputText: `ctx-${p.agentId}`,
    contextIds: [],
    actionIds: [],
    logprobs: [],
    finishReason: 'stop',
    policyId: p.agentId,
    policyVersion: 0,
    toolCalls: [],
    toolOutput: '',
    filesWritten: [],
    extras: {},
    timings: { generateMs: 0, toolMs: 0 },
    ...p,
  };
}

/** Solver drafts `expr`, the coder prints `printed`, reports it, and the Verifier boxes `boxed`. */
function episode(o: { step: number; group: string; sample: number; expr: string; printed: string; boxed: string; coderCtx?: string; scores?: number[] }): EpisodeRecord {
  const actions = [
    action({ index: 0, agentId: 'solver', role: 'Problem Solver', text: o.expr, contextIds: [1, 2, 3] }),
    action({
      index: 1,
      agentId: 'coder',
      role: 'Code Executor',
      text: `\`\`\`python\nprint(${o.expr})\n\`\`\``,
      inputText: o.coderCtx ?? `Q: ${prompt}\nDraft: ${o.expr}\nCoder:`,
      toolCalls: [{ tool: 'python', input: `print(${o.expr})`, language: 'python', status: 'ok', output: `${o.printed}\n`, exitCode: 0 }],
      toolOutput: `<tool_response>\n${o.printed}\n</tool_response>`,
    }),
    action({ index: 2, agentId: 'coder', role: 'Code Executor', turnIndex: 1, text: o.printed }),
    action({ index: 3, agentId: 'verifier', role: 'Verifier', text: `\\boxed{${o.boxed}}` }),
  ];
  actions.forEach((a, i) => {
    if (o.scores) a.coach = { score: o.scores[i]!, rationale: '', raw: '', flags: { repaired: false, fallback: false, cached: false }, coach: 'test' };
  });
  return {
    id: `e${o.step}-${o.group}-${o.sample}`,
    step: o.step,
    phase: 'train',
    taskId,
    taskMetadata: {},
    groupId: o.group,
    sampleIndex: o.sample,
    seed: 0,
    turns: ['solver', 'coder', 'verifier'].map((id) => ({ agentId: id, role: id, actions: actions.filter((a) => a.agentId === id), output: '' })),
    actions,
    artifacts: [],
    startedAt: '',
    durationMs: 0,
  };
}

beforeAll(async () => {
  const gen = createMathChatGenerator({ train: TASKS.train, test: TASKS.test, seed: TASKS.seed, difficultyMix: TASKS.difficultyMix });
  const t = (await gen.tasks('train'))[0]!;
  taskId = t.id;
  prompt = t.prompt;
  truth = String(t.groundTruth);
});

describe('curves', () => {
  const curve = [
    { step: 0, rollouts: 0, value: 0.4 },
    { step: 10, rollouts: 640, value: 0.5 },
    { step: 20, rollouts: 1280, value: 0.7 },
  ];
  it('interpolates the rollouts at which a target is first reached', () => {
    expect(rolloutsToTarget(curve, 0.6)).toBeCloseTo(960, 6);
    expect(rolloutsToTarget(curve, 0.3)).toBe(0);
    expect(rolloutsToTarget(curve, 0.8)).toBeNull();
  });
  it('summarizes seeds and averages curves on shared steps', () => {
    const s = summarize([1, 2, 3]);
    expect([s.mean, s.sd, s.min, s.max]).toEqual([2, 1, 1, 3]);
    const m = meanCurve([curve, curve.map((p) => ({ ...p, value: p.value + 0.2 })).slice(0, 2)]);
    expect(m.map((p) => p.step)).toEqual([0, 10]);
    expect(m[1]!.value).toBeCloseTo(0.6, 9);
    expect([m[1]!.min, m[1]!.max]).toEqual([0.5, 0.7]);
  });
  it('ranks with the Mann–Whitney AUC, ties counted half', () => {
    expect(auc([3, 4], [1, 2])).toBe(1);
    expect(auc([1], [2])).toBe(0);
    expect(auc([5, 5], [5])).toBe(0.5);
  });
});

describe('GRPO group identity', () => {
  it('counts multi-member groups whose members saw the same input, per agent and turn', () => {
    const eps = [
      episode({ step: 1, group: 'g1', sample: 0, expr: '1+2', printed: '3', boxed: '3', scores: [10, 10, 9, 10] }),
      episode({ step: 1, group: 'g1', sample: 1, expr: '1+2', printed: '3', boxed: '3', coderCtx: 'other', scores: [10, 1, 9, 4] }),
      episode({ step: 2, group: 'g1', sample: 0, expr: '1+2', printed: '3', boxed: '3', scores: [10, 10, 9, 10] }),
    ];
    const ids = Object.fromEntries(groupIdentity(eps).map((g) => [g.agentId, g]));
    expect(ids['solver']).toMatchObject({ groups: 2, multiMember: 1, identical: 1, singletonActions: 1, zeroAdvantageActions: 3 });
    // coder turn 0 differs in context; turn 1 (the report) and the Verifier saw the same rendered input here
    expect(ids['coder']).toMatchObject({ groups: 4, multiMember: 2, identical: 1, actions: 6 });
    expect(ids['coder']!.zeroAdvantageActions).toBe(4); // step-1 turn-0 group has scores 10 vs 1
    expect(ids['verifier']).toMatchObject({ multiMember: 1, identical: 1, zeroAdvantageActions: 1 });
  });
});

describe('credit assignment', () => {
  it('labels each action by its own correctness and shows the blind coach blaming the Verifier', async () => {
    const gt = await groundTruthOf({ tasks: TASKS });
    expect(String(gt.get(taskId))).toBe(truth);
    const wrong = String(Number(truth) + 1);
    // the code printed a wrong value (e.g. a wrong operator) and the Verifier boxed it faithfully
    const ep = episode({ step: 1, group: 'g', sample: 0, expr: truth, printed: wrong, boxed: wrong });
    const labels = labelEpisodes([ep], gt)[0]!;
    expect(labels.map((l) => `${l.kind}:${l.right}`)).toEqual(['solver:true', 'coder-code:false', 'coder-report:true', 'verifier:true']);
    expect(oracle(ep.actions[3]!, ep.actions.slice(0, 3), truth).right).toBe(true);

    const withTool = await rescore([ep], { scores: { solverSetupRight: 10 }, useToolOutput: true }, gt);
    const blind = await rescore([ep], { scores: { solverSetupRight: 10 }, useToolOutput: false }, gt);
    expect(withTool[0]![1]!).toBeLessThan(withTool[0]![3]!);
    expect(blind[0]![1]!).toBeGreaterThan(blind[0]![3]!);
    expect(blameStats([ep], withTool, [labels])).toEqual({ copiedWrong: 1, culpritBelowCopier: 1 });
    expect(blameStats([ep], blind, [labels])).toEqual({ copiedWrong: 1, culpritBelowCopier: 0 });
  });
});

describe('report from a synthetic run directory', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mappa-exp-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeRun(arm: string, seed: number, accs: number[]): Promise<string> {
    const runDir = join(dir, arm, `seed-${seed}`);
    await mkdir(join(runDir, 'episodes'), { recursive: true });
    await mkdir(join(runDir, 'logs'), { recursive: true });
    await writeFile(join(runDir, 'config.resolved.yaml'), stringify({ tasks: TASKS, run: { steps: 20, tasksPerStep: 4, samplesPerTask: 2 } }));
    const rows = [0, 10, 20].map((step, i) => JSON.stringify({ step, 'eval/accuracy': accs[i], 'train/accuracy': accs[i] }));
    await writeFile(join(runDir, 'metrics.jsonl'), rows.join('\n') + '\n');
    const eps = [0, 1].map((s) => episode({ step: 1, group: 'g', sample: s, expr: truth, printed: truth, boxed: truth, scores: [10, 10, 9, 10] }));
    await writeFile(join(runDir, 'episodes', 'train-step-0001.jsonl'), eps.map((e) => JSON.stringify(e)).join('\n') + '\n');
    await writeFile(
      join(runDir, 'logs', 'run.log'),
      [
        { time: '2026-01-01T00:00:00.000Z', msg: 'start' },
        { time: '2026-01-01T00:01:00.000Z', msg: 'warm start: solver trained on 10 demonstrations in 30.0 s' },
        { time: '2026-01-01T00:05:00.000Z', msg: 'done' },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n') + '\n',
    );
    return runDir;
  }

  it('writes tables with the rollouts to target and the plots', async () => {
    const ruleDir = await writeRun('rule', 1, [0.4, 0.6, 0.8]);
    const outcomeDir = await writeRun('outcome', 1, [0.4, 0.45, 0.55]);
    const noToolDir = await writeRun('no-tool', 1, [0.4, 0.5, 0.6]);
    expect(await isRunFinished(ruleDir, 20)).toBe(true);
    expect(await isRunFinished(ruleDir, 40)).toBe(false);
    const rule = await loadRun(ruleDir, 'rule', 1);
    expect(rule.rolloutsPerStep).toBe(8);
    expect(rule.wallSeconds).toBe(300);
    expect(rule.warmStartSeconds).toBe(30);
    expect(metricCurve(rule, 'eval/accuracy').map((p) => p.rollouts)).toEqual([0, 80, 160]);

    const runs = new Map([
      ['rule', [rule]],
      ['outcome', [await loadRun(outcomeDir, 'outcome', 1)]],
      ['no-tool', [await loadRun(noToolDir, 'no-tool', 1)]],
    ]);
    const out = await buildReport({ runs, labels: {}, imgPrefix: 'img' });
    // auto target: halfway from 40% to the rule arm's 80% → 60%, reached by rule at step 10 (80 rollouts);
    // outcome crosses between 45% (80) and 55% (160) only at 60%: never
    const exp1 = out.blocks['process-vs-outcome']!;
    expect(exp1).toContain('target 60.0%');
    expect(exp1).toMatch(/\| rule \| 80 \| 1\/1 \| 80 \|/);
    expect(exp1).toMatch(/\| outcome \| not reached \(> 160\) \| 0\/1 \| ≥ 160 \|/);
    expect(out.blocks['coach-context']).toContain('reproduces 8/8'); // the synthetic scores are the rule coach's
    expect(out.blocks['runs']).toMatch(/\| rule \| 1 \| 0:40\.0% 10:60\.0% 20:80\.0% \| 5\.0 min \| 0\.5 min \|/);
    expect(Object.keys(out.plots)).toContain('mathchat-exp1-eval.svg');
    expect(out.plots['mathchat-exp1-eval.svg']).toMatch(/^<svg[\s\S]*data-series="rule: mean of 1 seeds"/);

    const doc = fillBlocks('# T\n\nprose\n\n<!-- generated:runs -->\nold\n<!-- /generated:runs -->\n\nmore prose\n', { runs: 'new', extra: 'x' });
    expect(doc).toBe('# T\n\nprose\n\n<!-- generated:runs -->\nnew\n<!-- /generated:runs -->\n\nmore prose\n\n<!-- generated:extra -->\nx\n<!-- /generated:extra -->\n');
  });
});
