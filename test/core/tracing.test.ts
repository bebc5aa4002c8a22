import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins, RecordingTrainer } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let runDir = '';

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  trace.disable();
  context.disable();
  await provider.shutdown();
  if (runDir) await rm(runDir, { recursive: true, force: true });
});

describe('OpenTelemetry spans (with an SDK registered)', () => {
  it('one training step gives the tree step → episode → agent actions → tool call and coach evaluations, plus the trainer update', async () => {
    const registry = createBuiltinRegistry();
    registry.registerAll(fakePlugins().defs, 'test');
    const raw = tinyPipeline({ run: { ...tinyPipeline().run, steps: 1, tasksPerStep: 1, samplesPerTask: 1, eval: { atStart: false, atEnd: false, every: 0 } } });
    const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    runDir = await mkdtemp(join(tmpdir(), 'mappa-otel-'));
    const run = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger });
    const summary = await run.runner.train();
    await run.dispose();
    expect(summary.step).toBe(1);

    const spans = exporter.getFinishedSpans();
    const byName = (n: string) => spans.filter((s) => s.name === n);
    const parentOf = (s: ReadableSpan) => spans.find((p) => p.spanContext().spanId === s.parentSpanContext?.spanId);

    const [step] = byName('mappa.step');
    expect(byName('mappa.step')).toHaveLength(1);
    expect(step!.attributes).toMatchObject({ 'mappa.step': 1, 'mappa.pipeline': 'tiny', 'mappa.seed': 7 });
    expect(step!.attributes['mappa.train.success_rate']).toBeTypeOf('number');

    const episodes = byName('mappa.episode');
    expect(episodes).toHaveLength(1);
    const episode = episodes[0]!;
    expect(parentOf(episode)).toBe(step);
    expect(episode.attributes).toMatchObject({ 'mappa.phase': 'train', 'mappa.step': 1 });
    expect(episode.attributes['mappa.task.id']).toMatch(/^t\d$/);

    const actions = byName('mappa.agent_action');
    expect(actions.length).toBe(episode.attributes['mappa.episode.actions']);
    for (const a of actions) {
      expect(parentOf(a)).toBe(episode);
      expect(a.attributes['mappa.task.id']).toBe(episode.attributes['mappa.task.id']);
      expect(a.attributes['gen_ai.usage.output_tokens']).toBeTypeOf('number');
      expect(a.attributes['mappa.policy.version']).toBeTypeOf('number');
    }
    expect(actions.map((a) => a.attributes['mappa.agent.id'])).toEqual(expect.arrayContaining(['solver', 'coder', 'verifier']));

    const tools = byName('mappa.tool_call');
    expect(tools.length).toBe(actions.filter((a) => a.attributes['mappa.agent.id'] === 'coder').length);
    for (const t of tools) expect(parentOf(t)?.attributes['mappa.agent.id']).toBe('coder');

    const coach = byName('mappa.coach_evaluation');
    expect(coach).toHaveLength(actions.length);
    for (const c of coach) {
      const parent = parentOf(c)!;
      expect(parent.name).toBe('mappa.agent_action');
      expect(c.attributes['mappa.agent.id']).toBe(parent.attributes['mappa.agent.id']);
      expect(c.attributes['mappa.coach.score']).toBeTypeOf('number');
      expect(c.attributes['mappa.coach.fallback']).toBe(false);
    }

    const updates = byName('mappa.trainer_update');
    expect(updates).toHaveLength(1);
    expect(parentOf(updates[0]!)).toBe(step);
    expect(updates[0]!.attributes['mappa.experiences']).toBe(actions.length);
    // All in one trace.
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  });

  for (const overlap of ['off', 'one-step'] as const) {
    it(`a step whose update throws still ends its span, marked failed (run.overlap: ${overlap})`, async () => {
      exporter.reset();
      class FailingTrainer extends RecordingTrainer {
        override async step(batches: Parameters<RecordingTrainer['step']>[0], ctx: { step: number }) {
          if (ctx.step === 2) throw new Error('trainer exploded at step 2');
          return super.step(batches, ctx);
        }
      }
      const registry = createBuiltinRegistry();
      registry.registerAll(fakePlugins({ trainer: new FailingTrainer() }).defs, 'test');
      const raw = tinyPipeline({
        run: { ...tinyPipeline().run, steps: 3, tasksPerStep: 1, samplesPerTask: 1, overlap, eval: { atStart: false, atEnd: false, every: 0 } },
      });
      const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      const dir = await mkdtemp(join(tmpdir(), 'mappa-otel-fail-'));
      try {
        const run = await createRun({ pipeline: result.pipeline, runDir: dir, logger: silentLogger });
        await expect(run.runner.train()).rejects.toThrow(/trainer exploded at step 2/);
        await run.dispose();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const steps = exporter.getFinishedSpans().filter((s) => s.name === 'mappa.step');
      const failed = steps.filter((s) => s.status.code === SpanStatusCode.ERROR);
      expect(failed.map((s) => s.attributes['mappa.step'])).toContain(2);
      expect(failed.every((s) => s.status.message === 'trainer exploded at step 2')).toBe(true);
      expect(failed.find((s) => s.attributes['mappa.step'] === 2)!.events.map((e) => e.name)).toContain('exception');
      // Every step that started has ended: 1 and 2 (and 3 with overlap, whose rollouts run while update 2 trains).
      expect(steps.map((s) => s.attributes['mappa.step']).sort()).toEqual(overlap === 'off' ? [1, 2] : [1, 2, 3]);
    });
  }
});
