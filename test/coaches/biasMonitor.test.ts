import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBiasMonitorCoach } from '../../coaches/bias/biasMonitorPlugin.js';
import { createOutcomeCoach } from '../../coaches/outcome/outcomeCoachPlugin.js';
import type { CoachInput } from '../../core/contracts/Coach.js';
import { createLogger } from '../../core/util/createLogger.js';
import { sampleCoachInput } from '../conformance/coachConformance.js';
import { builtinFactory, sampleEpisode, StubCoach } from './coachTestDoubles.js';
import { tempDir } from './coachFixtures.js';

const input = (agent: string, taskType: string, action = 'x'): CoachInput =>
  sampleCoachInput({
    task: { id: 't', prompt: 'p', metadata: { taskType } },
    agent: { id: agent, role: agent, position: 0, count: 1 },
    action,
  });

// Regression actions score 2 points higher than classification ones: the MAPPA coach bias.
const biased = () => new StubCoach('biased', (i) => (i.task.metadata['taskType'] === 'regression' ? 8 : 6) + (i.action === 'better' ? 1 : 0));

describe('bias monitor', () => {
  it('reports running mean scores per agent, per task type and the task-type gap', async () => {
    const coach = await createBiasMonitorCoach({ coach: biased() });
    await coach.evaluate(input('modeler', 'regression'));
    await coach.evaluate(input('modeler', 'classification'));
    await coach.evaluate(input('analyst', 'classification'));
    const s = coach.stats!();
    expect(s['bias/mean/task_type/regression']).toBe(8);
    expect(s['bias/mean/task_type/classification']).toBe(6);
    expect(s['bias/mean/agent/modeler']).toBe(7);
    expect(s['bias/count/agent/analyst']).toBe(1);
    expect(s['bias/mean/agent_task_type/modeler/regression']).toBe(8);
    expect(s['bias/task_type_gap']).toBe(2);
    // The inner coach's counters are passed through.
    expect(s['calls']).toBe(3);
  });

  it('does not count fallbacks in the means', async () => {
    const coach = await createBiasMonitorCoach({ coach: new StubCoach('f', (i) => (i.action === 'bad' ? 'fallback' : 4)) });
    await coach.evaluate(input('a', 'regression', 'bad'));
    await coach.evaluate(input('a', 'regression'));
    expect(coach.stats!()).toMatchObject({ 'bias/mean/agent/a': 4, 'bias/count/agent/a': 1, 'bias/fallbacks_seen': 1 });
  });

  it('normalizes per task type using statistics from earlier steps only', async () => {
    const coach = await createBiasMonitorCoach({ coach: biased(), normalize: 'task-type', minCount: 2 });
    // Step 1: not enough history, scores pass through unchanged.
    for (const t of ['regression', 'regression', 'classification', 'classification']) {
      const e = await coach.evaluate(input('a', t));
      expect(e.score).toBe(t === 'regression' ? 8 : 6);
      expect((e.details!['normalization'] as { applied: boolean }).applied).toBe(false);
    }
    await coach.onStepEnd!(1);
    // Step 2: each task type is centred on the overall mean (7), so the 2-point gap disappears.
    const reg = await coach.evaluate(input('a', 'regression'));
    const cls = await coach.evaluate(input('a', 'classification'));
    const clsBetter = await coach.evaluate(input('a', 'classification', 'better'));
    expect(reg.score).toBe(7);
    expect(cls.score).toBe(7);
    expect(clsBetter.score).toBe(8);
    expect(reg.details).toMatchObject({ rawScore: 8, normalization: { stratum: 'task_type/regression', applied: true, method: 'center' } });
    // Scores seen during step 2 do not change step 2's normalization (order independence).
    expect((await coach.evaluate(input('a', 'regression'))).score).toBe(7);
  });

  it('re-scores the calibration set every N steps, bypassing the cache, and reports drift', async () => {
    let shift = 0;
    const inner = new StubCoach('drifty', (i) => (i.action === 'cal-a' ? 4 : 6) + shift);
    const lines: string[] = [];
    const items = [
      { id: 'a', input: input('x', 'regression', 'cal-a'), expectedScore: 4 },
      { id: 'b', input: input('x', 'regression', 'cal-b') },
    ];
    const coach = await createBiasMonitorCoach({
      coach: inner,
      calibration: items,
      calibrationEvery: 2,
      driftWarnAbove: 1,
      logger: createLogger({ level: 'warn', write: (l) => lines.push(l) }),
    });
    const first = await coach.onStepEnd!(1);
    expect(first).toMatchObject({ 'calibration/items': 2, 'calibration/mean': 5, 'calibration/fallbacks': 0, 'calibration/expected_mae': 0 });
    expect(inner.options.every((o) => (o as { cache?: string }).cache === 'bypass')).toBe(true);
    expect(inner.calls).toBe(2);
    expect(await coach.onStepEnd!(3)).toEqual({});
    expect(inner.calls).toBe(2);
    shift = 2;
    const later = await coach.onStepEnd!(4);
    expect(later).toMatchObject({ 'calibration/drift': 2, 'calibration/mean_abs_drift': 2, 'calibration/max_abs_drift': 2, 'calibration/expected_mae': 2 });
    expect(lines.some((l) => l.includes('calibration scores drifted by 2.00'))).toBe(true);
    expect(coach.stats!()['calibration/drift']).toBe(2);
  });

  it('reads a calibration file in the action-file format and keeps state across a restart', async () => {
    const { dir, remove } = tempDir();
    try {
      const file = join(dir, 'calibration.json');
      writeFileSync(file, JSON.stringify([{ id: 'one', expectedScore: 6, task: { prompt: 'p' }, agent: { id: 'a', role: 'A' }, action: 'cal' }]));
      const stateFile = join(dir, 'state.json');
      const first = await createBiasMonitorCoach({ coach: biased(), calibration: file, stateFile });
      expect(await first.onStepEnd!(1)).toMatchObject({ 'calibration/mean': 6 });
      expect(existsSync(stateFile)).toBe(true);
      // A resumed run keeps the baseline, so it reports drift instead of starting over.
      const resumed = await createBiasMonitorCoach({ coach: biased(), calibration: file, calibrationEvery: 1, stateFile });
      expect(await resumed.onStepEnd!(2)).toMatchObject({ 'calibration/drift': 0 });
    } finally {
      remove();
    }
  });

  it('wraps episode-scope coaches too', async () => {
    const coach = await createBiasMonitorCoach({ coach: createOutcomeCoach() });
    expect(coach.scope).toBe('episode');
    const evals = await coach.evaluateEpisode!(sampleEpisode({ success: true, correct: true, metrics: {} }, { taskType: 'algebra' }));
    expect(evals).toHaveLength(4);
    expect(coach.stats!()).toMatchObject({ 'bias/mean/task_type/algebra': 10, 'bias/count/agent/coder': 2 });
  });

  it('is created through the plugin system around a nested coach', async () => {
    const { dir, remove } = tempDir();
    try {
      const coach = await builtinFactory({ runDir: dir }).create('coach', { use: 'bias-monitor', coach: { use: 'constant', score: 3 } }, 'coach');
      await coach.evaluate(input('a', 'regression'));
      expect(coach.stats!()['bias/mean/agent/a']).toBe(3);
    } finally {
      remove();
    }
  });
});

describe('bias monitor prompts', () => {
  it('shows the inner coach prompt only when the inner coach has one', async () => {
    const { createOpenAICoach } = await import('../../coaches/llm/openaiCoachPlugin.js');
    const llm = await createOpenAICoach({ baseURL: 'http://127.0.0.1:9/v1', model: 'm', template: 'builtin:generic' });
    const wrapped = await createBiasMonitorCoach({ coach: llm });
    const { isPromptingCoach } = await import('../../coaches/llm/PromptingCoach.js');
    if (!isPromptingCoach(wrapped)) throw new Error('expected the wrapped LLM coach to expose its prompt');
    expect(await wrapped.renderPrompt(input('a', 'regression'))).toContain('PROCESS_SCORE');
    expect(isPromptingCoach(await createBiasMonitorCoach({ coach: biased() }))).toBe(false);
  });
});
