// node:http for the same reasons as createOpenAIServer: two JSON routes, no new dependency.
import { startHttpServer } from './startHttpServer.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseCoachActionFile } from '../../coaches/coachActionFile.js';
import type { Coach, CoachInput } from '../../core/contracts/Coach.js';
import type { Logger } from '../../core/contracts/Logger.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import { MappaError } from '../../core/util/MappaError.js';
import { redactString } from '../../core/util/redactSecrets.js';
import { HttpError, badRequest } from './HttpError.js';
import { keyMatches, readJsonBody } from './httpBody.js';
import { Reply } from './Reply.js';

/** Who the scored text comes from, when a request does not say (OpenRLHF's protocol has no such field). */
export interface RewardAgentDefaults {
  readonly agentId: string;
  readonly role: string;
  readonly position: number;
  readonly count: number;
}

export interface RewardServerOptions {
  /** An action-scope coach (rule, LLM with its runtime, ensemble, bias monitor); the server does not dispose it. */
  readonly coach: Coach;
  readonly agent?: Partial<RewardAgentDefaults> | undefined;
  /** reward = coach score (0–10) × scale (default 0.1, like a pipeline's rewards.scale). */
  readonly rewardScale?: number | undefined;
  /** `neutral` (default): a fallback answers the coach's neutral score, flagged and counted; `error`: 503 instead. */
  readonly onFallback?: 'neutral' | 'error' | undefined;
  readonly host?: string | undefined;
  /** Default 5000 (OpenRLHF's serve_rm); 0 picks a free port. */
  readonly port?: number | undefined;
  readonly apiKey?: string | undefined;
  readonly logger?: Logger | undefined;
}

export interface RewardServer {
  readonly url: string;
  readonly port: number;
  /** Requests, queries, fallbacks served so far. */
  counters(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/** OpenRLHF's remote reward request; `role`, `agent_id`, `task_ids` are mappa extensions. */
const GetRewardSchema = z.object({
  query: z.array(z.string()).min(1),
  prompts: z.array(z.string()).nullish(),
  labels: z.array(z.unknown()).nullish(),
  role: z.string().min(1).nullish(),
  agent_id: z.string().min(1).nullish(),
  task_ids: z.array(z.string()).nullish(),
});

const stripPrompt = (query: string, prompt: string) => (prompt && query.startsWith(prompt) ? query.slice(prompt.length) : query);

/**
 * A coach as a reward server for other RL engines: OpenRLHF's remote reward protocol at POST /get_reward, and
 * POST /v1/evaluate taking the action JSON of `mappa coach eval --action`. Every query goes through the coach's full
 * runtime (cache, retries, repair, flagged fallbacks, ensembles, cost); fallbacks are flagged per query and counted.
 */
export async function createRewardServer(o: RewardServerOptions): Promise<RewardServer> {
  if (o.coach.scope !== 'action') {
    throw new MappaError(`coach ${o.coach.name} scores whole episodes, not single actions`, { hint: 'serve an LLM, rule or ensemble coach' });
  }
  const agent: RewardAgentDefaults = { agentId: 'agent', role: 'Assistant', position: 0, count: 1, ...(o.agent ?? {}) };
  const scale = o.rewardScale ?? 0.1;
  const counters = { requests: 0, queries: 0, fallbacks: 0, repaired: 0, cached: 0, errors: 0 };
  const closing = new AbortController();

  async function score(inputs: CoachInput[]): Promise<CoachEvaluation[]> {
    const evals = await Promise.all(inputs.map((input) => o.coach.evaluate(input, { signal: closing.signal })));
    counters.queries += evals.length;
    for (const e of evals) {
      if (e.flags.fallback) counters.fallbacks++;
      if (e.flags.repaired) counters.repaired++;
      if (e.flags.cached) counters.cached++;
    }
    const fell = evals.filter((e) => e.flags.fallback);
    if (fell.length > 0) {
      o.logger?.warn(`coach serve: ${fell.length} of ${evals.length} evaluations fell back to the neutral score`, { error: fell[0]?.error ?? 'no reason given' });
      if (o.onFallback === 'error') {
        throw new HttpError(503, `the coach fell back on ${fell.length} of ${evals.length} queries: ${fell[0]?.error ?? 'no reason given'}`, 'coach_fallback', null, 'coach_fallback');
      }
    }
    return evals;
  }

  const summary = (e: CoachEvaluation) => ({
    score: e.score,
    flags: e.flags,
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.outcome ? { outcome: e.outcome } : {}),
    coach: e.coach,
  });

  async function getReward(body: unknown, reply: Reply): Promise<void> {
    const parsed = GetRewardSchema.safeParse(body);
    if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '), parsed.error.issues[0]?.path.join('.') ?? null);
    const r = parsed.data;
    for (const [field, list] of [['prompts', r.prompts], ['labels', r.labels], ['task_ids', r.task_ids]] as const) {
      if (list && list.length !== r.query.length) throw badRequest(`${field} has ${list.length} entries but query has ${r.query.length}`, field);
    }
    const inputs = r.query.map((query, i) => {
      const prompt = r.prompts?.[i] ?? '';
      const label = r.labels?.[i];
      return parseCoachActionFile(
        {
          task: { id: r.task_ids?.[i] ?? `query-${i}`, prompt },
          agent: { id: r.agent_id ?? agent.agentId, role: r.role ?? agent.role, position: agent.position, count: agent.count },
          agentInput: prompt,
          action: stripPrompt(query, prompt),
          ...(label !== undefined && label !== null && label !== '' ? { groundTruth: label } : {}),
        },
        `query[${i}]`,
      );
    });
    const evals = await score(inputs);
    reply.json(200, {
      rewards: evals.map((e) => e.score * scale),
      scores: evals.map((e) => e.score / 10),
      extra_logs: {
        coach_score: evals.map((e) => e.score),
        coach_fallback: evals.map((e) => (e.flags.fallback ? 1 : 0)),
        coach_repaired: evals.map((e) => (e.flags.repaired ? 1 : 0)),
        coach_cached: evals.map((e) => (e.flags.cached ? 1 : 0)),
      },
      evaluations: evals.map(summary),
    });
  }

  async function evaluate(body: unknown, reply: Reply): Promise<void> {
    const batch = body !== null && typeof body === 'object' && Array.isArray((body as { actions?: unknown }).actions);
    const items = batch ? ((body as { actions: unknown[] }).actions) : [body];
    if (items.length === 0) throw badRequest('actions is empty', 'actions');
    const inputs = items.map((a, i) => {
      try {
        return parseCoachActionFile(a, batch ? `actions[${i}]` : 'request body');
      } catch (err) {
        throw badRequest((err as Error).message, batch ? `actions[${i}]` : null, 'invalid_action');
      }
    });
    const evals = await score(inputs);
    const stats = o.coach.stats?.() ?? {};
    if (batch) reply.json(200, { coach: o.coach.name, evaluations: evals, rewards: evals.map((e) => e.score * scale), stats });
    else reply.json(200, { coach: o.coach.name, evaluation: evals[0], reward: (evals[0] as CoachEvaluation).score * scale, stats });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = new Reply(res);
    const path = (req.url ?? '/').split('?')[0] as string;
    const method = req.method ?? 'GET';
    try {
      if (path === '/health' && method === 'GET') return reply.text(200, '');
      if (o.apiKey !== undefined && !keyMatches(req.headers.authorization, o.apiKey)) {
        throw new HttpError(401, 'missing or wrong API key (send Authorization: Bearer <key>)', 'authentication_error', null, 'invalid_api_key');
      }
      if (path === '/stats' && method === 'GET') return reply.json(200, { coach: o.coach.name, server: counters, coachStats: o.coach.stats?.() ?? {} });
      if (path !== '/get_reward' && path !== '/v1/evaluate') throw new HttpError(404, `unknown route ${method} ${path}`, 'not_found_error', null, 'unknown_route');
      if (method !== 'POST') throw new HttpError(405, `${path} takes POST, not ${method}`, 'invalid_request_error', null, 'method_not_allowed');
      counters.requests++;
      const body = await readJsonBody(req, 32 * 1024 * 1024);
      await (path === '/get_reward' ? getReward(body, reply) : evaluate(body, reply));
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, redactString((err as Error)?.message ?? String(err)), 'internal_server_error');
      if (e.status >= 500) {
        counters.errors++;
        o.logger?.error(`coach serve: ${method} ${path} failed: ${e.message}`);
      }
      if (!res.headersSent) reply.json(e.status, e.body());
      else res.destroy();
    }
  }

  const http = await startHttpServer(handle, { host: o.host, port: o.port ?? 5000 });
  return {
    url: http.url,
    port: http.port,
    counters: () => ({ ...counters }),
    close: () => http.stop(() => closing.abort(new Error('server shutting down'))),
  };
}
