import { mkdir, rm } from 'node:fs/promises';
import pLimit from 'p-limit';
import { join } from 'node:path';
import type { AgentSpec } from '../contracts/AgentSpec.js';
import type { Coach } from '../contracts/Coach.js';
import type { Environment, EpisodeEnvironment } from '../contracts/Environment.js';
import type { Logger } from '../contracts/Logger.js';
import type { Generation, Policy, SamplingParams } from '../contracts/Policy.js';
import type { ActionRecord } from '../model/Action.js';
import type { AgentTurn, EpisodeError, EpisodeRecord } from '../model/Episode.js';
import type { Message } from '../model/Message.js';
import type { Task } from '../model/Task.js';
import { deriveSeed } from '../util/deriveSeed.js';
import type { TemplateEngine } from '../util/createTemplateEngine.js';
import { truncateMiddle } from '../util/truncate.js';
import type { CoachScheduler } from './CoachScheduler.js';

export interface EpisodeRunnerOptions {
  readonly environment: Environment;
  readonly policies: ReadonlyMap<string, Policy>;
  /** Agents in execution order. */
  readonly agents: readonly AgentSpec[];
  readonly templates: TemplateEngine;
  readonly coach: CoachScheduler;
  readonly logger: Logger;
  /** Root for per-episode working directories. */
  readonly workRoot: string;
  readonly keepWorkDirs: boolean;
  readonly toolOutputLimit: number;
}

export interface EpisodeRequest {
  readonly task: Task;
  /**
   * Position of the task in its step's batch. Part of the episode id, because a step that spans an epoch boundary
   * can hold the same task twice.
   */
  readonly slot?: number;
  readonly step: number;
  readonly phase: 'train' | 'eval';
  readonly sampleIndex: number;
  readonly seed: number;
  /** Replaces each agent's sampling settings (evaluation uses greedy decoding by default). */
  readonly samplingOverride?: SamplingParams;
  /** Score actions with the coach. */
  readonly coach: boolean;
  readonly signal: AbortSignal;
}

class StageError extends Error {
  constructor(
    readonly kind: EpisodeError['kind'],
    readonly agentId: string | undefined,
    cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

async function stage<T>(kind: EpisodeError['kind'], agentId: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StageError) throw err;
    throw new StageError(kind, agentId, err);
  }
}

/** Plain-text view of a conversation, for policies that do not report their rendered context. */
function messagesAsText(messages: readonly Message[]): string {
  return messages.map((m) => `<${m.role}>\n${m.content}`).join('\n');
}

/**
 * Runs one episode: agents in order, each generating up to `maxActions` actions, tools executed by the environment,
 * each action handed to the coach as soon as it exists. Failures are recorded on the episode, never thrown.
 */
export class EpisodeRunner {
  constructor(private readonly o: EpisodeRunnerOptions) {}

  /**
   * Runs many episodes with at most `concurrency` rollouts at once and returns them (in request order) once every
   * coach evaluation has arrived. A slot is released when an episode's rollout ends, so coach latency overlaps the
   * following rollouts. Requests not started before `signal` aborts are skipped.
   */
  async runBatch(
    requests: readonly EpisodeRequest[],
    options: { readonly concurrency: number; readonly signal?: AbortSignal; readonly onEpisode?: (episode: EpisodeRecord) => void },
  ): Promise<EpisodeRecord[]> {
    const limit = pLimit(options.concurrency);
    const results: Array<EpisodeRecord | undefined> = new Array(requests.length);
    const coached: Array<Promise<void>> = [];
    await Promise.all(
      requests.map((req, i) =>
        limit(async () => {
          if (options.signal?.aborted) return;
          const { coached: done } = await this.rollout(req);
          coached.push(
            done.then((ep) => {
              results[i] = ep;
              options.onEpisode?.(ep);
            }),
          );
        }),
      ),
    );
    await Promise.all(coached);
    return results.filter((e): e is EpisodeRecord => e !== undefined);
  }

  /** Runs one episode and waits for every coach evaluation. */
  async run(req: EpisodeRequest): Promise<EpisodeRecord> {
    return (await this.rollout(req)).coached;
  }

  /**
   * Runs the agents and grades the episode; coach evaluations keep arriving afterwards. `episode` is ready when this
   * resolves (the environment is closed by then); `coached` resolves once every action has its evaluation. Callers
   * that bound episode concurrency should release their slot on `rollout`, not on `coached`, so coach latency
   * overlaps the next episodes.
   */
  async rollout(req: EpisodeRequest): Promise<{ episode: EpisodeRecord; coached: Promise<EpisodeRecord> }> {
    const { task } = req;
    const id = `${req.phase}-${String(req.step).padStart(4, '0')}-${req.slot !== undefined ? `${req.slot}-` : ''}${task.id}-${req.sampleIndex}`;
    const started = Date.now();
    const episode: EpisodeRecord = {
      id,
      step: req.step,
      phase: req.phase,
      taskId: task.id,
      taskMetadata: task.metadata,
      groupId: `${req.phase}-${req.step}-${task.id}`,
      sampleIndex: req.sampleIndex,
      seed: req.seed,
      turns: [],
      actions: [],
      artifacts: [],
      startedAt: new Date(started).toISOString(),
      durationMs: 0,
    };
    const workDir = join(this.o.workRoot, id);
    const coachJobs: Array<Promise<void>> = [];
    let env: EpisodeEnvironment | undefined;
    try {
      await mkdir(workDir, { recursive: true });
      env = await stage('environment', undefined, () =>
        this.o.environment.createEpisode(task, { episodeId: id, seed: req.seed, phase: req.phase, workDir, signal: req.signal }),
      );
      const turns = new Map<string, AgentTurn>();
      for (const agent of this.o.agents) {
        if (req.signal.aborted) throw new StageError('aborted', agent.id, new Error('run interrupted'));
        const turn = await this.#runAgent(agent, env, turns, episode, req, coachJobs);
        turns.set(agent.id, turn);
        episode.turns.push(turn);
      }
      episode.outcome = await stage('environment', undefined, () => env!.evaluate(turns));
    } catch (err) {
      const e = err instanceof StageError ? err : new StageError('unknown', undefined, err);
      episode.error = {
        kind: req.signal.aborted ? 'aborted' : e.kind,
        message: e.message,
        ...(e.agentId ? { agentId: e.agentId } : {}),
      };
      this.o.logger.debug(`episode ${id} failed`, { error: episode.error });
    }
    if (env) {
      try {
        episode.artifacts.push(...(await env.artifacts()));
      } catch (err) {
        this.o.logger.warn(`episode ${id}: could not list artifacts: ${(err as Error).message}`);
      }
      try {
        await env.close();
      } catch (err) {
        this.o.logger.warn(`episode ${id}: environment close failed: ${(err as Error).message}`);
      }
    }
    if (!this.o.keepWorkDirs) await rm(workDir, { recursive: true, force: true });
    episode.durationMs = Date.now() - started;
    const coached = (async () => {
      await Promise.all(coachJobs);
      if (req.coach && this.o.coach.coach.scope === 'episode' && !episode.error) await this.#coachEpisode(episode, req);
      return episode;
    })();
    return { episode, coached };
  }

  async #runAgent(
    agent: AgentSpec,
    env: EpisodeEnvironment,
    turns: ReadonlyMap<string, AgentTurn>,
    episode: EpisodeRecord,
    req: EpisodeRequest,
    coachJobs: Array<Promise<void>>,
  ): Promise<AgentTurn> {
    const policy = this.o.policies.get(agent.policyId);
    if (!policy) throw new StageError('policy', agent.id, new Error(`no policy "${agent.policyId}"`));
    const upstream = new Map<string, AgentTurn>();
    for (const r of agent.reads) {
      const t = turns.get(r);
      if (t) upstream.set(r, t);
    }
    const observation = await stage('environment', agent.id, () => env.observe(agent, upstream));
    const prompt = await stage('template', agent.id, () =>
      this.o.templates.renderFile(agent.promptFile, {
        task: { id: req.task.id, prompt: req.task.prompt, metadata: req.task.metadata },
        agent: { id: agent.id, role: agent.role, maxActions: agent.maxActions },
        upstream: Object.fromEntries([...upstream].map(([k, v]) => [k, v.output])),
        ...observation.vars,
      }),
    );
    const messages: Message[] = [{ role: 'user', content: prompt }];
    const actions: ActionRecord[] = [];
    const sampling = req.samplingOverride ? { ...agent.sampling, ...req.samplingOverride } : agent.sampling;
    for (let turnIndex = 0; turnIndex < agent.maxActions; turnIndex++) {
      const t0 = performance.now();
      const generation: Generation = await stage('policy', agent.id, () =>
        policy.generate({ messages, sampling, seed: deriveSeed(req.seed, agent.id, turnIndex), signal: req.signal }),
      );
      const generateMs = performance.now() - t0;
      const index = episode.actions.length;
      const t1 = performance.now();
      const tool =
        agent.tools.length > 0 ? await stage('tool', agent.id, () => env.executeTools(agent, { text: generation.text, index })) : undefined;
      const toolMs = performance.now() - t1;
      const action: ActionRecord = {
        index,
        agentId: agent.id,
        role: agent.role,
        turnIndex,
        inputText: generation.contextText ?? messagesAsText(messages),
        contextIds: generation.contextIds,
        text: generation.text,
        actionIds: generation.tokenIds,
        logprobs: generation.logprobs,
        finishReason: generation.finishReason,
        policyId: agent.policyId,
        policyVersion: generation.policyVersion,
        toolCalls: tool?.calls ?? [],
        toolOutput: tool?.message.content ?? '',
        ...(tool ? { toolOutputRole: tool.message.role === 'tool' ? ('tool' as const) : ('user' as const) } : {}),
        filesWritten: tool?.filesWritten ?? [],
        extras: tool?.extras ?? {},
        timings: { generateMs, toolMs },
      };
      const previous = episode.actions.slice();
      episode.actions.push(action);
      actions.push(action);
      if (req.coach && this.o.coach.coach.scope === 'action') {
        const extras = await stage('environment', agent.id, () => env.coachContext(agent, action, previous));
        const position = this.o.agents.indexOf(agent);
        const input = {
          task: { id: req.task.id, prompt: req.task.prompt, metadata: req.task.metadata },
          agent: { id: agent.id, role: agent.role, position, count: this.o.agents.length },
          agentInput: action.inputText,
          action: action.text,
          actionRecord: action,
          ...(action.toolOutput ? { toolOutput: truncateMiddle(action.toolOutput, this.o.toolOutputLimit) } : {}),
          previousActions: previous,
          ...(agent.coachSeesGroundTruth ? { groundTruth: env.groundTruth() } : {}),
          extras,
          episode: { id: episode.id, seed: episode.seed },
        };
        const c0 = performance.now();
        coachJobs.push(
          this.o.coach.schedule(input, req.signal).then((evaluation) => {
            action.coach = evaluation;
            (action.timings as { coachMs?: number }).coachMs = performance.now() - c0;
          }),
        );
      }
      if (!tool) break;
      messages.push({ role: 'assistant', content: generation.text, tokenIds: generation.tokenIds }, tool.message);
    }
    return { agentId: agent.id, role: agent.role, prompt, actions, output: actions.at(-1)?.text ?? '' };
  }

  async #coachEpisode(episode: EpisodeRecord, req: EpisodeRequest): Promise<void> {
    const coach: Coach = this.o.coach.coach;
    try {
      if (!coach.evaluateEpisode) throw new Error(`coach ${coach.name} has scope "episode" but no evaluateEpisode()`);
      const evaluations = await coach.evaluateEpisode(episode, { signal: req.signal });
      if (evaluations.length !== episode.actions.length) {
        throw new Error(`coach ${coach.name} returned ${evaluations.length} evaluations for ${episode.actions.length} actions`);
      }
      episode.actions.forEach((a, i) => (a.coach = evaluations[i]!));
    } catch (err) {
      for (const a of episode.actions) a.coach = this.o.coach.fallback(err);
    }
  }
}
