import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../core/contracts/AgentSpec.js';
import type { AgentTurn } from '../../core/model/Episode.js';
import { createChainArithRuleCoach } from '../../coaches/chain-arith-rule/chainArithRuleCoachPlugin.js';
import { coachInputsFromEpisode } from '../../coaches/hindsight/coachInputsFromEpisode.js';
import { applyStage, chainValues } from '../../environments/chain-arith/chainArithmetic.js';
import { createChainArithEnvironment } from '../../environments/chain-arith/chainArithEnvironmentPlugin.js';
import { generateChainArithDemonstrations, uniformMistakeRate } from '../../environments/chain-arith/demonstrations/generateChainArithDemonstrations.js';
import { createChainArithTasks } from '../../environments/chain-arith/tasks/chainArithTasksPlugin.js';
import { chainEpisode } from './chainEpisode.js';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

function agents(k: number): AgentSpec[] {
  const dir = mkdtempSync(join(tmpdir(), 'chain-'));
  const file = join(dir, 'stage.liquid');
  writeFileSync(file, '{{ input }}+{{ operand }}=');
  return Array.from({ length: k }, (_, i) => ({
    id: `a${i + 1}`,
    role: `Stage ${i + 1}`,
    policyId: `a${i + 1}`,
    promptFile: file,
    tools: [],
    maxActions: 1,
    reads: i === 0 ? [] : [`a${i}`],
    sampling: {},
    coachSeesGroundTruth: false,
    train: true,
  })) as unknown as AgentSpec[];
}

describe('chain-arith', () => {
  it('shifts every digit by the stage operand', () => {
    expect(applyStage('097', 4, 10)).toBe('431');
    expect(chainValues('123', [1, 9], 10)).toEqual(['234', '123']);
  });

  it('makes the same tasks for the same seed, with test start codes disjoint from train', async () => {
    const a = createChainArithTasks({ stages: 3, train: 200, test: 50 });
    const b = createChainArithTasks({ stages: 3, train: 200, test: 50 });
    const [train, test] = [await a.tasks('train'), await a.tasks('test')];
    expect(await b.tasks('train')).toEqual(train);
    const testStarts = new Set(test.map((t) => t.metadata['start']));
    expect(train.some((t) => testStarts.has(t.metadata['start']))).toBe(false);
    const t = train[0]!;
    const ops = t.metadata['operands'] as number[];
    expect(ops).toHaveLength(3);
    expect(t.groundTruth).toBe(chainValues(t.metadata['start'] as string, ops, 10).at(-1));
  });

  it('feeds each agent the previous value and grades only the last one', async () => {
    const [task] = await createChainArithTasks({ stages: 2, train: 1, test: 0, operands: [1, 2] }).tasks('train');
    const env = createChainArithEnvironment();
    const ep = await env.createEpisode(task!, { episodeId: 'e', seed: 1, phase: 'train', workDir: '/tmp', signal: new AbortController().signal });
    const [a1, a2] = agents(2);
    const start = task!.metadata['start'] as string;
    expect((await ep.observe(a1!, new Map())).vars).toMatchObject({ input: start, operand: 1, stage: 0 });
    const turn1: AgentTurn = { agentId: 'a1', role: 'Stage 1', actions: [], output: '555?' };
    expect((await ep.observe(a2!, new Map([['a1', turn1]]))).vars).toMatchObject({ input: '555?', operand: 2, stage: 1 });
    const right = chainValues(start, [1, 2], 10).at(-1)!;
    const last = (output: string) => new Map([['a1', turn1], ['a2', { agentId: 'a2', role: 'Stage 2', actions: [], output }]]);
    expect((await ep.evaluate(last(right))).correct).toBe(true);
    expect((await ep.evaluate(last(applyStage(right, 1, 10)))).correct).toBe(false);
    expect((await ep.evaluate(last('none'))).success).toBe(false);
  });

  it('rule coach blames the culprit, not the agent that worked right from its wrong value', async () => {
    // 100 +1 → 211 (should be 211), +2 → 488 (slip: 433 is right), +3 → 711 (right from 488)
    const ep = chainEpisode({ start: '100', operands: [1, 2, 3], texts: ['211', '488?', '711'], correct: false });
    const coach = createChainArithRuleCoach();
    const scores = [];
    for (const input of coachInputsFromEpisode(ep)) scores.push((await coach.evaluate(input)).score);
    expect(scores).toEqual([10, 0, 10]);
    const noValue = chainEpisode({ start: '100', operands: [1, 2], texts: ['oops', '433'], correct: false });
    const [first, second] = coachInputsFromEpisode(noValue);
    expect((await coach.evaluate(first!)).score).toBe(0);
    expect((await coach.evaluate(second!)).score).toBe(5);
  });

  it('demonstrations slip at the configured rate, and correlation makes a slip after a slip likelier', async () => {
    const tasks = await createChainArithTasks({ stages: 3, train: 2000, test: 0 }).tasks('train');
    const rate = uniformMistakeRate(0.3, 3);
    const base = { tasks, agents: agents(3), mistakeRates: [rate, rate, rate], slipMarker: '?', seed: 1 };
    const indep = await generateChainArithDemonstrations({ ...base, correlation: 0 });
    const corr = await generateChainArithDemonstrations({ ...base, correlation: 0.6 });
    expect(indep.demonstrations).toHaveLength(6000);
    const chain = indep.stats['chain']!;
    expect(chain['correct']! / chain['count']!).toBeGreaterThan(0.25);
    expect(chain['correct']! / chain['count']!).toBeLessThan(0.35);
    const after = (s: Record<string, number>) => s['slipsAfterSlip']! / s['inputsWithSlip']!;
    expect(after(indep.stats['a3']!)).toBeLessThan(rate + 0.06);
    expect(after(corr.stats['a3']!)).toBeGreaterThan(rate + 0.6 * (1 - rate) - 0.08);
    // A slipped answer carries the marker and is wrong; a clean one is right.
    const d = indep.demonstrations.find((x) => x.response.endsWith('?'))!;
    const [input, operand] = d.messages[0]!.content.replace('=', '').split('+');
    expect(d.response.slice(0, -1)).not.toBe(applyStage(input!.replace('?', ''), Number(operand), 10));
  });
});
