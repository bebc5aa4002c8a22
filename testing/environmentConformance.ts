import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractProblems } from '../core/plugins/pluginContracts.js';
import type { AgentSpec } from '../core/contracts/AgentSpec.js';
import type { Environment } from '../core/contracts/Environment.js';
import type { AgentTurn } from '../core/model/Episode.js';
import type { Task } from '../core/model/Task.js';

export interface EnvironmentConformanceOptions {
  readonly create: () => Promise<Environment>;
  readonly task: Task;
  /** Agents in order; the last one's output is graded. */
  readonly agents: readonly AgentSpec[];
  /** An action text with a tool call for the first tool-using agent, and one without. */
  readonly toolAction?: string;
  readonly plainAction: string;
  /** Final output that the environment must grade as correct (when the task has a right answer). */
  readonly correctOutput?: string;
}

export function agentSpec(overrides: Partial<AgentSpec> & { id: string }): AgentSpec {
  return {
    role: overrides.id,
    policyId: 'p',
    promptFile: '/dev/null',
    tools: [],
    maxActions: 1,
    reads: [],
    sampling: {},
    coachSeesGroundTruth: false,
    train: true,
    ...overrides,
  };
}

export function describeEnvironmentConformance(name: string, o: EnvironmentConformanceOptions): void {
  describe(`Environment conformance: ${name}`, () => {
    const withEpisode = async (fn: (ep: Awaited<ReturnType<Environment['createEpisode']>>) => Promise<void>) => {
      const env = await o.create();
      expect(contractProblems('environment', env)).toEqual([]);
      const workDir = await mkdtemp(join(tmpdir(), 'mappa-envconf-'));
      const ep = await env.createEpisode(o.task, { episodeId: 'conf', seed: 1, phase: 'train', workDir, signal: new AbortController().signal });
      try {
        await fn(ep);
      } finally {
        await ep.close();
        await env.dispose?.();
        await rm(workDir, { recursive: true, force: true });
      }
    };

    it('observes, runs tools, lists artifacts, grades and closes', async () => {
      await withEpisode(async (ep) => {
        const first = o.agents[0]!;
        const obs = await ep.observe(first, new Map());
        expect(typeof obs.vars).toBe('object');
        expect(await ep.executeTools(first, { text: o.plainAction, index: 0 })).toBeUndefined();
        const toolAgent = o.agents.find((a) => a.tools.length > 0);
        if (toolAgent && o.toolAction) {
          const r = await ep.executeTools(toolAgent, { text: o.toolAction, index: 1 });
          expect(r).toBeDefined();
          expect(r!.calls.length).toBeGreaterThan(0);
          expect(typeof r!.message.content).toBe('string');
        }
        const arts = await ep.artifacts();
        expect(Array.isArray(arts)).toBe(true);
        const last = o.agents.at(-1)!;
        const turn: AgentTurn = { agentId: last.id, role: last.role, actions: [], output: o.correctOutput ?? o.plainAction };
        const outcome = await ep.evaluate(new Map([[last.id, turn]]));
        expect(typeof outcome.success).toBe('boolean');
        expect(typeof outcome.metrics).toBe('object');
        if (o.correctOutput) expect(outcome.correct).toBe(true);
      });
    });

    it('gives coach context as a plain object', async () => {
      await withEpisode(async (ep) => {
        const a = o.agents[0]!;
        const ctx = await ep.coachContext(a, {
          index: 0, agentId: a.id, role: a.role, turnIndex: 0, inputText: '', contextIds: [], text: o.plainAction, actionIds: [], logprobs: [],
          finishReason: 'stop', policyId: 'p', policyVersion: 0, toolCalls: [], toolOutput: '', filesWritten: [], extras: {}, timings: { generateMs: 0, toolMs: 0 },
        }, []);
        expect(ctx).toBeTypeOf('object');
      });
    });
  });
}
