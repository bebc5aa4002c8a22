import type { Coach, CoachCallOptions, CoachInput } from '../../core/contracts/Coach.js';
import type { RunContext } from '../../core/contracts/RunContext.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import type { EpisodeRecord, Outcome } from '../../core/model/Episode.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { PluginFactory } from '../../core/plugins/PluginFactory.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { sampleAction } from '../conformance/coachConformance.js';

/** A coach whose score is a function of the input; records the options it was called with. */
export class StubCoach implements Coach {
  readonly scope = 'action' as const;
  calls = 0;
  readonly options: CoachCallOptions[] = [];
  constructor(
    readonly name: string,
    readonly score: (input: CoachInput) => number | 'fallback' | 'throw',
    readonly extra: Partial<CoachEvaluation> = {},
  ) {}
  async evaluate(input: CoachInput, options: CoachCallOptions = {}): Promise<CoachEvaluation> {
    this.calls++;
    this.options.push(options);
    const s = this.score(input);
    if (s === 'throw') throw new Error(`${this.name} exploded`);
    const fallback = s === 'fallback';
    return {
      score: fallback ? 5 : s,
      rationale: `${this.name} says ${s}`,
      raw: `raw ${this.name}`,
      usage: { inputTokens: 10, outputTokens: 2, costUsd: 0.001 },
      flags: { repaired: false, fallback, cached: false },
      ...(fallback ? { error: `${this.name} could not score` } : {}),
      coach: this.name,
      ...this.extra,
    };
  }
  stats() {
    return { calls: this.calls };
  }
}

export function sampleEpisode(outcome: Outcome | undefined, taskMetadata: Record<string, unknown> = {}): EpisodeRecord {
  const actions = [
    sampleAction({ index: 0, agentId: 'solver', role: 'Problem Solver' }),
    sampleAction({ index: 1, agentId: 'coder', role: 'Code Executor' }),
    sampleAction({ index: 2, agentId: 'coder', role: 'Code Executor', turnIndex: 1 }),
    sampleAction({ index: 3, agentId: 'verifier', role: 'Verifier' }),
  ];
  return {
    id: 'ep1',
    step: 1,
    phase: 'train',
    taskId: 't1',
    taskMetadata,
    groupId: 'g',
    sampleIndex: 0,
    seed: 1,
    turns: [],
    actions,
    ...(outcome ? { outcome } : {}),
    artifacts: [],
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
  };
}

/** A plugin factory over the built-in registry, as the runner would give a plugin. */
export function builtinFactory(run: Partial<RunContext> = {}): PluginFactory {
  return new PluginFactory(
    createBuiltinRegistry(),
    { runDir: run.runDir ?? '/tmp', cacheDir: run.cacheDir ?? '/tmp', baseDir: run.baseDir ?? process.cwd(), seed: 0, signal: new AbortController().signal },
    silentLogger,
  );
}
