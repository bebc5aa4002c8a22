import { describe, expect, it } from 'vitest';
import { createChainArithRuleCoach } from '../../coaches/chain-arith-rule/chainArithRuleCoachPlugin.js';
import { createHindsightCoach } from '../../coaches/hindsight/hindsightCoachPlugin.js';
import { createOpenAICoach } from '../../coaches/llm/openaiCoachPlugin.js';
import { chatCompletion } from '../fakes/fakeOpenAIServer.js';
import { useFakeServer } from '../fakes/useFakeServer.js';
import { builtinFactory, StubCoach } from '../coaches/coachTestDoubles.js';
import { chainEpisode } from './chainEpisode.js';

const scoresOf = async (coach: ReturnType<typeof createHindsightCoach>, ep: ReturnType<typeof chainEpisode>) => (await coach.evaluateEpisode!(ep)).map((e) => e.score);

describe('hindsight coach (rule judge)', () => {
  it('keeps the judge’s blame in a wrong episode it can explain', async () => {
    const coach = createHindsightCoach({ judge: createChainArithRuleCoach() });
    const wrong = chainEpisode({ start: '100', operands: [1, 2, 3], texts: ['211', '488?', '711'], correct: false });
    expect(await scoresOf(coach, wrong)).toEqual([10, 0, 10]);
  });

  it('lifts every action of a right episode to the success floor, whatever the judge said', async () => {
    const judge = new StubCoach('harsh', (i) => (i.agent.position === 1 ? 2 : 8));
    const right = chainEpisode({ start: '100', operands: [1, 2], texts: ['211', '433'], correct: true });
    expect(await scoresOf(createHindsightCoach({ judge }), right)).toEqual([10, 10]);
    expect(await scoresOf(createHindsightCoach({ judge, successFloor: 7 }), right)).toEqual([8, 7]);
    expect(await scoresOf(createHindsightCoach({ judge, blame: 'judge' }), right)).toEqual([8, 2]);
  });

  it('shares the outcome’s blame when the judge blamed nobody in a wrong episode', async () => {
    const lenient = new StubCoach('lenient', () => 9);
    const wrong = chainEpisode({ start: '100', operands: [1, 2], texts: ['211', '444'], correct: false });
    const coach = createHindsightCoach({ judge: lenient });
    expect(await scoresOf(coach, wrong)).toEqual([0, 0]);
    expect(coach.stats!()).toMatchObject({ wrong_unexplained: 1, lowered: 2 });
  });

  it('shows the judge the outcome and the later actions', async () => {
    const seen: unknown[] = [];
    const judge = new StubCoach('spy', (i) => {
      seen.push(i.extras['hindsight']);
      return 10;
    });
    await createHindsightCoach({ judge }).evaluateEpisode!(chainEpisode({ start: '100', operands: [1, 2], texts: ['211', '433'], correct: true }));
    expect(seen[0]).toMatchObject({ outcome: { known: true, good: true }, laterActions: [{ agentId: 'a2', text: '433' }] });
    expect(seen[1]).toMatchObject({ laterActions: [] });
  });

  it('is an episode-scope plugin', async () => {
    const coach = await builtinFactory().create('coach', { use: 'hindsight', judge: { use: 'chain-arith-rule' } }, 'coach');
    expect(coach.scope).toBe('episode');
    await expect(coach.evaluate({} as never)).rejects.toThrow(/whole episodes/);
  });
});

describe('hindsight coach (LLM judge, builtin:hindsight template)', () => {
  // The fake model blames the stage whose prompt shows "488?": it answers 1 for it and 9 otherwise.
  const server = useFakeServer((req) => {
    const prompt: string = req.body.messages.at(-1).content;
    const underReview = prompt.split('<agent_output>')[1]!.split('</agent_output>')[0]!;
    return { body: chatCompletion(`Traced back.\nPROCESS_SCORE: ${underReview.includes('488?') ? 1 : 9}`) };
  });

  it('re-scores each action with the outcome in the prompt, through the LLM runtime', async () => {
    const judge = await createOpenAICoach({ baseURL: `${server.url}/v1`, model: 'judge', template: 'builtin:hindsight', cache: false, retry: { retries: 0 } });
    const coach = createHindsightCoach({ judge });
    const wrong = chainEpisode({ start: '100', operands: [1, 2, 3], texts: ['211', '488?', '711'], correct: false });
    const evals = await coach.evaluateEpisode!(wrong);
    expect(evals.map((e) => e.score)).toEqual([9, 1, 9]);
    expect(evals.every((e) => !e.flags.fallback)).toBe(true);
    expect(server.requests).toHaveLength(3);
    const first: string = server.requests.find((r) => r.body.messages.at(-1).content.includes('<agent_output>\n211'))!.body.messages.at(-1).content;
    expect(first).toContain('The final result was WRONG');
    expect(first).toContain('# Actions after this one');
    expect(first).toContain('[Stage 2] 488?');
  });
});
