import type { CoachInput } from '../../core/contracts/Coach.js';
import type { AgentBatch } from '../../core/contracts/Trainer.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import { FakeCoach, RecordingTrainer } from '../fakes/testPlugins.js';

/** A coach whose rationales name the task and action (so a test can find one), with usage, costs and some repairs/fallbacks. */
export class ReportTestCoach extends FakeCoach {
  #calls = 0;
  override async evaluate(input: CoachInput): Promise<CoachEvaluation> {
    const base = await super.evaluate(input);
    this.#calls++;
    const digit = base.score;
    // Flags depend on the content only, so runs stay deterministic under concurrency.
    const repaired = digit === 4;
    const fallback = digit === 9 && input.agent.id === 'verifier';
    return {
      ...base,
      score: fallback ? 5 : digit,
      rationale: `${input.agent.id} on ${input.task.id}: saw "${input.action}" (action ${input.actionRecord.index}), score ${digit}`,
      usage: { inputTokens: 100 + input.agentInput.length, outputTokens: 20, costUsd: 0.0001 * (1 + digit) },
      flags: { repaired, fallback, cached: false },
      ...(fallback ? { error: 'coach reply had no PROCESS_SCORE line' } : {}),
    };
  }
  stats() {
    return { calls: this.#calls, cost_usd: this.#calls * 0.0005 };
  }
}

/** Adds the PPO figures a real trainer reports, so the trainer curves have data. */
export class PpoLikeTrainer extends RecordingTrainer {
  override async step(batches: readonly AgentBatch[], ctx: { step: number }) {
    const out = await super.step(batches, ctx);
    const withPpo: Record<string, Record<string, number>> = {};
    for (const [agent, m] of Object.entries(out)) withPpo[agent] = { ...m, kl: 0.01 * ctx.step * (1 + agent.length / 10), clip_frac: 0.05 + 0.01 * ctx.step };
    return withPpo;
  }
}
