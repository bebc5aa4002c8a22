import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { Rng } from '../../core/util/Rng.js';

export interface SyntheticRunOptions {
  readonly steps: number;
  readonly episodesPerStep: number;
  readonly agents?: readonly string[];
  readonly actionsPerAgent?: number;
  /** Length of each input text (actions) in characters. */
  readonly textChars?: number;
  /** Token ids and log-probs per action (what the report drops). */
  readonly tokens?: number;
  readonly seed?: number;
  /** Write config.resolved.yaml (default true). */
  readonly config?: boolean;
}

/**
 * Writes a run directory shaped like the runner's output without running anything: used for large-run benchmarks and
 * for checking that the report copes with any agent ids and metric names.
 */
export async function writeSyntheticRun(dir: string, o: SyntheticRunOptions): Promise<void> {
  const agents = o.agents ?? ['planner', 'coder', 'critic'];
  const perAgent = o.actionsPerAgent ?? 2;
  const textChars = o.textChars ?? 2000;
  const tokens = o.tokens ?? 256;
  const rng = Rng.fromSeed(o.seed ?? 1);
  await mkdir(join(dir, 'episodes'), { recursive: true });
  if (o.config !== false) {
    await writeFile(
      join(dir, 'config.resolved.yaml'),
      stringify({ name: 'synthetic', seed: o.seed ?? 1, coach: { use: 'synthetic-coach' }, trainer: { use: 'ppo' }, agents: agents.map((id) => ({ id, role: `the ${id}` })), run: { steps: o.steps, report: true } }),
    );
  }
  const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(textChars / 27)).slice(0, textChars);
  const metrics: string[] = [];
  for (let step = 1; step <= o.steps; step++) {
    const eps: EpisodeRecord[] = [];
    for (let e = 0; e < o.episodesPerStep; e++) {
      const actions: EpisodeRecord['actions'] = [];
      let index = 0;
      for (const agent of agents) {
        let input = `You are the ${agent}. Task ${e}. ${filler}`;
        for (let t = 0; t < perAgent; t++) {
          const text = `${agent} answer ${rng.int(0, 99)}`;
          const score = rng.int(0, 10);
          actions.push({
            index,
            agentId: agent,
            role: `the ${agent}`,
            turnIndex: t,
            inputText: input,
            contextIds: Array.from({ length: tokens }, (_, i) => i),
            text,
            actionIds: Array.from({ length: tokens }, (_, i) => i),
            logprobs: Array.from({ length: tokens }, () => -0.25),
            finishReason: 'stop',
            policyId: agent,
            policyVersion: step,
            toolCalls: t === 0 ? [{ tool: 'python', input: 'print(1)', language: 'python', status: 'ok', output: '1' }] : [],
            toolOutput: t === 0 ? '<tool_response>1</tool_response>' : '',
            filesWritten: [],
            extras: {},
            coach: {
              score,
              rationale: `synthetic rationale ${step}/${e}/${index}`,
              raw: '',
              coach: 'synthetic-coach',
              flags: { repaired: score === 3, fallback: false, cached: false },
              usage: { inputTokens: 500, outputTokens: 50, costUsd: 0.001 },
            },
            timings: { generateMs: 10, toolMs: 1 },
          });
          input += `\n${text}\n<tool_response>1</tool_response>`;
          index++;
        }
      }
      const correct = rng.int(0, 1) === 1;
      eps.push({
        id: `train-${String(step).padStart(4, '0')}-task${e}-0`,
        step,
        phase: 'train',
        taskId: `task${e}`,
        taskMetadata: { category: ['a', 'b', 'c'][e % 3] },
        groupId: `train-${step}-task${e}`,
        sampleIndex: 0,
        seed: e,
        turns: [],
        actions,
        outcome: { success: true, correct, metrics: {} },
        artifacts: [],
        startedAt: '2026-01-01T00:00:00.000Z',
        durationMs: 100,
      });
    }
    await writeFile(join(dir, 'episodes', `train-step-${String(step).padStart(4, '0')}.jsonl`), eps.map((x) => JSON.stringify(x)).join('\n') + '\n');
    const row: Record<string, number> = { step, 'train/success_rate': 1, 'eval/accuracy': step / o.steps };
    for (const a of agents) {
      row[`train/coach/score/${a}`] = 5 + Math.sin(step + a.length);
      row[`trainer/${a}/loss`] = 1 / step;
      row[`trainer/${a}/kl`] = 0.001 * step;
    }
    metrics.push(JSON.stringify(row));
  }
  await writeFile(join(dir, 'metrics.jsonl'), metrics.join('\n') + '\n');
}
