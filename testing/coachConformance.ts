import { describe, expect, it } from 'vitest';
import { contractProblems } from '../core/plugins/pluginContracts.js';
import type { Coach, CoachInput } from '../core/contracts/Coach.js';
import type { ActionRecord } from '../core/model/Action.js';
import type { CoachEvaluation } from '../core/model/CoachEvaluation.js';
import type { EpisodeRecord } from '../core/model/Episode.js';

export function sampleAction(overrides: Partial<ActionRecord> = {}): ActionRecord {
  return {
    index: 0,
    agentId: 'verifier',
    role: 'Verifier',
    turnIndex: 0,
    inputText: 'Problem: 2+3. Code Executor output: 5',
    contextIds: [1, 2, 3],
    text: 'The answer is \\boxed{5}',
    actionIds: [4, 5],
    logprobs: [-0.1, -0.2],
    finishReason: 'stop',
    policyId: 'p',
    policyVersion: 0,
    toolCalls: [],
    toolOutput: '',
    filesWritten: [],
    extras: {},
    timings: { generateMs: 1, toolMs: 0 },
    ...overrides,
  };
}

export function sampleCoachInput(overrides: Partial<CoachInput> = {}): CoachInput {
  const action = sampleAction();
  return {
    task: { id: 't1', prompt: 'What is 2+3?', metadata: { taskType: 'arithmetic' } },
    agent: { id: 'verifier', role: 'Verifier', position: 2, count: 3 },
    agentInput: action.inputText,
    action: action.text,
    actionRecord: action,
    previousActions: [],
    groundTruth: '5',
    extras: {},
    ...overrides,
  };
}

export function expectValidEvaluation(e: CoachEvaluation): void {
  expect(e.score).toBeGreaterThanOrEqual(0);
  expect(e.score).toBeLessThanOrEqual(10);
  expect(typeof e.rationale).toBe('string');
  expect(typeof e.raw).toBe('string');
  expect(typeof e.coach).toBe('string');
  expect(typeof e.flags.repaired).toBe('boolean');
  expect(typeof e.flags.fallback).toBe('boolean');
  expect(typeof e.flags.cached).toBe('boolean');
  if (e.outcome) expect(typeof e.outcome.value).toBe('number');
}

export interface CoachConformanceOptions {
  readonly create: () => Promise<Coach>;
  readonly input?: CoachInput;
  /** Same input gives the same evaluation (rule coaches, cached LLM coaches). */
  readonly deterministic?: boolean;
  /** For episode-scope coaches: an episode to score. */
  readonly episode?: EpisodeRecord;
}

export function describeCoachConformance(name: string, o: CoachConformanceOptions): void {
  describe(`Coach conformance: ${name}`, () => {
    it('returns a 0–10 score with rationale, raw text and flags', async () => {
      const coach = await o.create();
      expect(contractProblems('coach', coach)).toEqual([]);
      expect(['action', 'episode']).toContain(coach.scope);
      if (coach.scope === 'episode') {
        expect(coach.evaluateEpisode).toBeTypeOf('function');
        if (o.episode) {
          const evals = await coach.evaluateEpisode!(o.episode);
          expect(evals).toHaveLength(o.episode.actions.length);
          evals.forEach(expectValidEvaluation);
        }
      } else {
        expectValidEvaluation(await coach.evaluate(o.input ?? sampleCoachInput()));
      }
      await coach.dispose?.();
    });
    if (o.deterministic) {
      it('gives the same evaluation for the same input', async () => {
        const coach = await o.create();
        if (coach.scope !== 'action') return;
        const a = await coach.evaluate(o.input ?? sampleCoachInput());
        const b = await coach.evaluate(o.input ?? sampleCoachInput());
        expect(b.score).toBe(a.score);
        expect(b.outcome).toEqual(a.outcome);
        await coach.dispose?.();
      });
    }
  });
}
