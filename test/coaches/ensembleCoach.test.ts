import { describe, expect, it } from 'vitest';
import { aggregateScores, scoreSpread } from '../../coaches/ensemble/aggregateScores.js';
import { createEnsembleCoach } from '../../coaches/ensemble/ensembleCoachPlugin.js';
import { createOutcomeCoach } from '../../coaches/outcome/outcomeCoachPlugin.js';
import { sampleCoachInput } from '../conformance/coachConformance.js';
import { builtinFactory, StubCoach } from './coachTestDoubles.js';

const input = sampleCoachInput();

describe('aggregateScores', () => {
  it.each<[number[], 'mean' | 'median' | 'trimmed-mean', number]>([
    [[2, 4, 9], 'mean', 5],
    [[9, 2, 4], 'median', 4],
    [[1, 2, 3, 4], 'median', 2.5],
    [[0, 6, 7, 8, 10], 'trimmed-mean', 7],
    [[3, 9], 'trimmed-mean', 6],
  ])('%j by %s is %d', (scores, method, expected) => {
    expect(aggregateScores(scores, method, 0.2)).toBeCloseTo(expected, 12);
  });
  it('measures spread', () => {
    expect(scoreSpread([3, 9, 5])).toBe(6);
    expect(scoreSpread([4])).toBe(0);
  });
});

describe('ensemble coach', () => {
  it('aggregates members and records the disagreement', async () => {
    const coach = await createEnsembleCoach({ members: [new StubCoach('a', () => 2), new StubCoach('b', () => 6), new StubCoach('c', () => 7)], aggregate: 'median' });
    const e = await coach.evaluate(input);
    expect(e.score).toBe(6);
    expect(e.flags.fallback).toBe(false);
    expect(e.details).toMatchObject({ aggregate: 'median', spread: 5, escalated: false });
    expect((e.details!['members'] as Array<{ coach: string; score: number }>).map((m) => [m.coach, m.score])).toEqual([['a', 2], ['b', 6], ['c', 7]]);
    expect(e.usage).toEqual({ inputTokens: 30, outputTokens: 6, costUsd: 0.003 });
    expect(coach.stats!()).toMatchObject({ evaluations: 1, members_calls: 3, spread_mean: 5 });
  });

  it('leaves fallen-back and throwing members out of the aggregate, and counts them', async () => {
    const coach = await createEnsembleCoach({
      members: [new StubCoach('a', () => 8), new StubCoach('b', () => 'fallback'), new StubCoach('c', () => 'throw')],
    });
    const e = await coach.evaluate(input);
    expect(e.score).toBe(8);
    expect(e.flags.fallback).toBe(false);
    const members = e.details!['members'] as Array<{ coach: string; fallback: boolean; error?: string }>;
    expect(members.filter((m) => m.fallback).map((m) => m.coach)).toEqual(['b', 'c']);
    expect(members[2]!.error).toBe('c exploded');
    expect(coach.stats!()).toMatchObject({ member_errors: 1, fallbacks: 0 });
  });

  it('falls back, flagged, only when no member produced a score', async () => {
    const coach = await createEnsembleCoach({ members: [new StubCoach('a', () => 'fallback'), new StubCoach('b', () => 'throw')], fallbackScore: 5 });
    const e = await coach.evaluate(input);
    expect(e.flags.fallback).toBe(true);
    expect(e.score).toBe(5);
    expect(e.error).toMatch(/no ensemble member produced a usable score.*a: a could not score.*b: b exploded/);
    expect(coach.stats!()['fallbacks']).toBe(1);
  });

  it('asks the expensive member only when the cheap ones disagree', async () => {
    const expensive = new StubCoach('pro', () => 9);
    const agree = await createEnsembleCoach({ members: [new StubCoach('a', () => 6), new StubCoach('b', () => 7)], escalate: expensive, escalateAbove: 3 });
    expect((await agree.evaluate(input)).score).toBe(6.5);
    expect(expensive.calls).toBe(0);

    const disagree = await createEnsembleCoach({ members: [new StubCoach('a', () => 1), new StubCoach('b', () => 8)], escalate: expensive, escalateAbove: 3 });
    const joined = await disagree.evaluate(input);
    expect(expensive.calls).toBe(1);
    expect(joined.score).toBe(6);
    expect(joined.details).toMatchObject({ escalated: true, spread: 7 });

    const replace = await createEnsembleCoach({
      members: [new StubCoach('a', () => 1), new StubCoach('b', () => 8)],
      escalate: expensive,
      escalateAbove: 3,
      escalateMode: 'replace',
    });
    expect((await replace.evaluate(input)).score).toBe(9);
    expect(replace.stats!()['escalations']).toBe(1);
  });

  it('takes the majority outcome verdict', async () => {
    const v = (value: number) => ({ outcome: { name: 'ANSWER_CORRECT', value } });
    const coach = await createEnsembleCoach({ members: [new StubCoach('a', () => 8, v(1)), new StubCoach('b', () => 8, v(1)), new StubCoach('c', () => 2, v(0))] });
    expect((await coach.evaluate(input)).outcome).toEqual({ name: 'ANSWER_CORRECT', value: 1 });
  });

  it('passes call options (e.g. cache bypass) through to members', async () => {
    const a = new StubCoach('a', () => 5);
    const coach = await createEnsembleCoach({ members: [a] });
    await coach.evaluate(input, { cache: 'bypass' } as never);
    expect(a.options[0]).toEqual({ cache: 'bypass' });
  });

  it('rejects episode-scope members', async () => {
    await expect(createEnsembleCoach({ members: [createOutcomeCoach()] })).rejects.toThrow(/ensemble members must score single actions/);
  });

  it('builds members through the plugin system and validates them by path', async () => {
    const factory = builtinFactory();
    const coach = await factory.create('coach', { use: 'ensemble', aggregate: 'mean', members: [{ use: 'constant', score: 2 }, { use: 'constant', score: 8 }] }, 'coach');
    expect((await coach.evaluate(input)).score).toBe(5);
    await expect(factory.create('coach', { use: 'ensemble', members: [{ use: 'constant', score: 20 }] }, 'coach')).rejects.toThrow(/coach\.members\[0\]\.score/);
  });
});
