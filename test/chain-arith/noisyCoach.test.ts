import { describe, expect, it } from 'vitest';
import type { CoachInput } from '../../core/contracts/Coach.js';
import { createChainArithRuleCoach } from '../../coaches/chain-arith-rule/chainArithRuleCoachPlugin.js';
import { coachInputsFromEpisode } from '../../coaches/hindsight/coachInputsFromEpisode.js';
import { createNoisyCoach } from '../../coaches/noisy/noisyCoachPlugin.js';
import { builtinFactory } from '../coaches/coachTestDoubles.js';
import { chainEpisode } from './chainEpisode.js';

// 100 +1 → 211 right, +2 → 488 wrong (433), +3 → 711 right from 488: clean scores [10, 0, 10].
const inputsOf = (seed: number) => coachInputsFromEpisode(chainEpisode({ start: '100', operands: [1, 2, 3], texts: ['211', '488?', '711'], seed, id: `ep${seed}` }));
const many = (n: number): CoachInput[] => Array.from({ length: n }, (_, s) => inputsOf(s)).flat();

async function scores(coach: ReturnType<typeof createNoisyCoach>, inputs: readonly CoachInput[]): Promise<number[]> {
  const out: number[] = [];
  for (const i of inputs) out.push((await coach.evaluate(i)).score);
  return out;
}

describe('noisy coach', () => {
  it('passes scores through at rate 0 and corrupts about `rate` of them otherwise', async () => {
    const inputs = many(400);
    const clean = await scores(createNoisyCoach({ coach: createChainArithRuleCoach(), rate: 0 }), inputs);
    expect(clean.slice(0, 3)).toEqual([10, 0, 10]);
    const coach = createNoisyCoach({ coach: createChainArithRuleCoach(), rate: 0.3, mode: 'random', runSeed: 1 });
    await scores(coach, inputs);
    const corrupted = coach.stats!()['corrupted']! / inputs.length;
    expect(corrupted).toBeGreaterThan(0.25);
    expect(corrupted).toBeLessThan(0.35);
  });

  it('is deterministic under the run seed, whatever the order of calls, and independent across seeds', async () => {
    const inputs = many(100);
    const make = (seed: number, runSeed = 1) => createNoisyCoach({ coach: createChainArithRuleCoach(), rate: 0.5, mode: 'random', seed, runSeed });
    const forward = await scores(make(1), inputs);
    const backward = (await scores(make(1), [...inputs].reverse())).reverse();
    expect(backward).toEqual(forward);
    expect(await scores(make(2), inputs)).not.toEqual(forward);
    expect(await scores(make(1, 2), inputs)).not.toEqual(forward);
  });

  it('shift-blame gives an action its upstream neighbour’s score, and cannot shift the first action', async () => {
    const coach = createNoisyCoach({ coach: createChainArithRuleCoach(), rate: 1, mode: 'shift-blame' });
    // The culprit (stage 2) gets stage 1's 10; the victim (stage 3) gets the culprit's 0.
    expect(await scores(coach, inputsOf(1))).toEqual([10, 10, 0]);
    expect(coach.stats!()).toMatchObject({ corrupted: 2, unshiftable: 1 });
  });

  it('is a plugin that wraps another coach, and refuses episode-scope coaches', async () => {
    const coach = await builtinFactory().create('coach', { use: 'noisy', rate: 1, mode: 'random', coach: { use: 'chain-arith-rule' } }, 'coach');
    const e = await coach.evaluate(inputsOf(3)[1]!);
    expect(e.details?.['noisy']).toMatchObject({ corrupted: true, original: 0 });
    await expect(builtinFactory().create('coach', { use: 'noisy', rate: 0.1, coach: { use: 'outcome' } }, 'coach')).rejects.toThrow(/single actions/);
  });
});
