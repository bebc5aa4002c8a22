import { context, trace } from '@opentelemetry/api';
import { attrs, inSpan, mappaTracer, markSpanFailed } from './tracing.js';
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
import type { Tool, ToolSession, ToolSource } from '../contracts/Tool.js';
import type { ToolCall } from '../model/ToolCall.js';
import { ToolExecutor } from '../tools/ToolExecutor.js';
import { deriveSeed } from '../util/deriveSeed.js';
import type { TemplateEngine } from '../util/createTemplateEngine.js';
import { truncateMiddle } from '../util/truncate.js';
import type { CoachScheduler } from './CoachScheduler.js';
import { renderAgentPrompt, upstreamOutputs, upstreamTurns } from './renderAgentPrompt.js';

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
  /** Function tool sources per agent id (from `agents[i].tools`); their calls are run here, not by the environment. */
  readonly toolSources?: ReadonlyMap<string, readonly ToolSource[]>;
  readonly toolExecutor?: ToolExecutor;
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
  readonly #executor: ToolExecutor;

  constructor(private readonly o: EpisodeRunnerOptions) {
    this.#executor = o.toolExecutor ?? new ToolExecutor();
  }

  /** Opens the agent's tool sources for one episode; names must be unique across them. */
  async #openTools(agent: AgentSpec, env: EpisodeEnvironment, episodeId: string, workDir: string, signal: AbortSignal) {
    const sources = this.o.toolSources?.get(agent.id) ?? [];
    const sessions: ToolSession[] = [];
    const tools = new Map<string, Tool>();
    const workspace = sources.length > 0 ? env.workspace?.() : undefined;
    const ctx = { episodeId, agentId: agent.id, workDir: workspace?.hostDir ?? workDir, ...(workspace ? { workspace } : {}) };
    if (sources.length === 0) return { sessions, tools, context: ctx };
    const from = new Map<string, string>();
    try {
      for (const source of sources) {
        const session = await source.open({ ...ctx, signal });
        sessions.push(session);
        for (const tool of session.tools) {
          if (tools.has(tool.name)) {
            throw new Error(`agent ${agent.id}: tool "${tool.name}" from ${source.name} clashes with the one from ${from.get(tool.name)} (rename one: \`name:\` or an MCP \`prefix:\`)`);
          }
          tools.set(tool.name, tool);
          from.set(tool.name, source.name);
        }
      }
    } catch (err) {
      await Promise.allSettled(sessions.map((s) => s.close?.()));
      throw err;
    }
    return { sessions, tools, context: ctx };
  }

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
    return inSpan(
      'mappa.episode',
      attrs({ 'mappa.phase': req.phase, 'mappa.step': req.step, 'mappa.task.id': req.task.id, 'mappa.sample': req.sampleIndex, 'mappa.seed': req.seed }),
      async (span) => {
        const result = await this.#rollout(req);
        const { episode } = result;
        span.setAttributes(
          attrs({
            'mappa.episode.id': episode.id,
            'mappa.episode.actions': episode.actions.length,
            'mappa.episode.success': episode.outcome?.success,
            'mappa.episode.correct': episode.outcome?.correct,
            'mappa.episode.error': episode.error?.kind,
          }),
        );
        return result;
      },
    );
  }

  async #rollout(req: EpisodeRequest): Promise<{ episode: EpisodeRecord; coached: Promise<EpisodeRecord> }> {
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
    const toolSessions: ToolSession[] = [];
    let env: EpisodeEnvironment | undefined;
    try {
      await mkdir(workDir, { recursive: true });
      env = await stage('environment', undefined, () =>
        this.o.environment.createEpisode(task, { episodeId: id, seed: req.seed, phase: req.phase, workDir, signal: req.signal }),
      );
      const turns = new Map<string, AgentTurn>();
      for (const agent of this.o.agents) {
        if (req.signal.aborted) throw new StageError('aborted', agent.id, new Error('run interrupted'));
        const turn = await this.#runAgent(agent, env, turns, episode, req, coachJobs, toolSessions);
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
    for (const closed of await Promise.allSettled(toolSessions.map((s) => s.close?.()))) {
      if (closed.status === 'rejected') this.o.logger.warn(`episode ${id}: closing a tool session failed: ${(closed.reason as Error)?.message}`);
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
    toolSessions: ToolSession[],
  ): Promise<AgentTurn> {
    const policy = this.o.policies.get(agent.policyId);
    if (!policy) throw new StageError('policy', agent.id, new Error(`no policy "${agent.policyId}"`));
    const upstream = upstreamTurns(agent, turns);
    const observation = await stage('environment', agent.id, () => env.observe(agent, upstream));
    const prompt = await stage('template', agent.id, () => renderAgentPrompt(this.o.templates, agent, req.task, upstreamOutputs(upstream), observation.vars));
    const messages: Message[] = [{ role: 'user', content: prompt }];
    const actions: ActionRecord[] = [];
    const sampling = req.samplingOverride ? { ...agent.sampling, ...req.samplingOverride } : agent.sampling;
    const { sessions, tools, context: toolContext } = await stage('tool', agent.id, () => this.#openTools(agent, env, episode.id, join(this.o.workRoot, episode.id), req.signal));
    // Closed with the environment at the end of the episode (an MCP server process lives as long as the episode).
    toolSessions.push(...sessions);
    let finalOutput: string | undefined;
    const toolSpecs = [...tools.values()].map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
    for (let turnIndex = 0; turnIndex < agent.maxActions; turnIndex++) {
      // One span per action: the generation, its tool calls and (as a child that may end later) its coach evaluation.
      const actionSpan = mappaTracer().startSpan(
        'mappa.agent_action',
        { attributes: attrs({ 'mappa.agent.id': agent.id, 'mappa.agent.role': agent.role, 'mappa.policy.id': agent.policyId, 'mappa.task.id': req.task.id, 'mappa.turn': turnIndex }) },
        context.active(),
      );
      const actionCtx = trace.setSpan(context.active(), actionSpan);
      try {
        const t0 = performance.now();
        const generation: Generation = await stage('policy', agent.id, () =>
          context.with(actionCtx, () =>
            policy.generate({
              messages,
              sampling,
              seed: deriveSeed(req.seed, agent.id, turnIndex),
              signal: req.signal,
              ...(toolSpecs.length ? { tools: toolSpecs } : {}),
            }),
          ),
        );
        actionSpan.setAttributes(
          attrs({
            'mappa.policy.version': generation.policyVersion,
            'mappa.action.finish_reason': generation.finishReason,
            'gen_ai.usage.input_tokens': generation.contextIds.length,
            'gen_ai.usage.output_tokens': generation.tokenIds.length,
          }),
        );
        const generateMs = performance.now() - t0;
        const index = episode.actions.length;
        const t1 = performance.now();
        const requested = generation.toolCalls ?? [];
        const functionRun =
          requested.length > 0 && tools.size > 0
            ? await inSpan(
                'mappa.tool_call',
                attrs({ 'mappa.agent.id': agent.id, 'mappa.tools': requested.map((c) => c.name).join(','), 'mappa.action.index': index }),
                async (span) => {
                  const run = await this.#executor.execute(requested, tools, {
                    ...toolContext,
                    actionIndex: index,
                    signal: req.signal,
                    seed: deriveSeed(req.seed, agent.id, turnIndex, 'tools'),
                    logger: this.o.logger,
                  });
                  span.setAttributes(attrs({ 'mappa.tool.called': true, 'mappa.tool.calls': run.calls.length, 'mappa.tool.status': run.calls.map((c) => c.status).join(',') }));
                  return run;
                },
                actionCtx,
              )
            : undefined;
        const tool =
          !functionRun && agent.tools.length > 0
            ? await inSpan(
                'mappa.tool_call',
                attrs({ 'mappa.agent.id': agent.id, 'mappa.tools': agent.tools.join(','), 'mappa.action.index': index }),
                async (span) => {
                  const result = await stage('tool', agent.id, () => env.executeTools(agent, { text: generation.text, index }));
                  span.setAttributes(
                    attrs({
                      'mappa.tool.called': result !== undefined,
                      'mappa.tool.calls': result?.calls.length ?? 0,
                      'mappa.tool.status': result?.calls.map((c) => c.status).join(','),
                    }),
                  );
                  return result;
                },
                actionCtx,
              )
            : undefined;
        // Files the function tools wrote are credited to this action, as code blocks' files are by the environment.
        const toolFiles = functionRun && env.commitFiles ? await stage('environment', agent.id, () => env.commitFiles!(agent, index)) : [];
        const toolMs = performance.now() - t1;
        const toolCalls: readonly ToolCall[] = functionRun?.calls ?? tool?.calls ?? [];
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
          toolCalls,
          toolOutput: functionRun ? functionRun.messages.map((m) => m.content).join('\n------\n') : (tool?.message.content ?? ''),
          ...(functionRun
            ? { toolOutputRole: 'tool' as const }
            : tool
              ? { toolOutputRole: tool.message.role === 'tool' ? ('tool' as const) : ('user' as const) }
              : {}),
          filesWritten: tool?.filesWritten ?? toolFiles,
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
            context.with(actionCtx, () => this.o.coach.schedule(input, req.signal)).then((evaluation) => {
              action.coach = evaluation;
              (action.timings as { coachMs?: number }).coachMs = performance.now() - c0;
            }),
          );
        }
        if (functionRun) {
          messages.push({ role: 'assistant', content: generation.text, tokenIds: generation.tokenIds, toolCalls: requested }, ...functionRun.messages);
          if (functionRun.final) {
            finalOutput = functionRun.finalOutput;
            break;
          }
          continue;
        }
        if (!tool) break;
        messages.push({ role: 'assistant', content: generation.text, tokenIds: generation.tokenIds }, tool.message);
      } catch (err) {
        markSpanFailed(actionSpan, err);
        throw err;
      } finally {
        actionSpan.end();
      }
    }
    return { agentId: agent.id, role: agent.role, prompt, actions, output: finalOutput ?? actions.at(-1)?.text ?? '' };
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
