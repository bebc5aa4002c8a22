import { describe, expect, it } from 'vitest';
import { createOutcomeCoach } from '../../coaches/outcome/outcomeCoachPlugin.js';
import { sampleCoachInput } from '../conformance/coachConformance.js';
import { sampleEpisode } from './coachTestDoubles.js';

describe('outcome coach (outcome-only baseline)', () => {
  it('gives every action 10 when the episode is correct and 0 when it is not', async () => {
    const coach = createOutcomeCoach();
    expect(coach.scope).toBe('episode');
    const good = await coach.evaluateEpisode!(sampleEpisode({ success: true, correct: true, metrics: {} }));
    expect(good.map((e) => e.score)).toEqual([10, 10, 10, 10]);
    expect(good[0]!.outcome).toEqual({ name: 'EPISODE_CORRECT', value: 1 });
    // A valid but wrong answer is still a bad outcome: `correct` wins over `success`.
    const wrong = await coach.evaluateEpisode!(sampleEpisode({ success: true, correct: false, metrics: {} }));
    expect(wrong.map((e) => e.score)).toEqual([0, 0, 0, 0]);
    expect(coach.stats!()).toMatchObject({ episodes: 2, good_episodes: 1, fallbacks: 0 });
  });

  it('uses success when the environment reports no correctness', async () => {
    const coach = createOutcomeCoach();
    const evals = await coach.evaluateEpisode!(sampleEpisode({ success: true, metrics: { accuracy: 0.8 } }));
    expect(evals.every((e) => e.score === 10 && e.outcome?.name === 'EPISODE_SUCCESS')).toBe(true);
  });

  it('honours configured scores and the chosen outcome field', async () => {
    const coach = createOutcomeCoach({ outcome: 'success', reward: 8, penalty: 2 });
    const evals = await coach.evaluateEpisode!(sampleEpisode({ success: false, correct: true, metrics: {} }));
    expect(evals.map((e) => e.score)).toEqual([2, 2, 2, 2]);
  });

  it('falls back, flagged, when the episode has no outcome', async () => {
    const coach = createOutcomeCoach();
    const evals = await coach.evaluateEpisode!(sampleEpisode(undefined));
    expect(evals.every((e) => e.flags.fallback && e.score === 5 && e.error === 'the episode has no outcome')).toBe(true);
    expect(coach.stats!()['fallbacks']).toBe(4);
  });

  it('refuses to score a single action', async () => {
    await expect(createOutcomeCoach().evaluate(sampleCoachInput())).rejects.toThrow(/whole episodes/);
  });
});
