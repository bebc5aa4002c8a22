import type { EpisodeRecord } from '../model/Episode.js';

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/**
 * Figures for a set of episodes, prefixed (`train/`, `eval/`): success rate, accuracy, failures by kind,
 * coach score per agent and per task type, coach fallbacks/repairs/cache hits, and mean environment metrics.
 */
export function episodeMetrics(prefix: string, episodes: readonly EpisodeRecord[], taskTypeKey = 'taskType'): Record<string, number> {
  const m: Record<string, number> = {};
  const n = episodes.length;
  m[`${prefix}episodes`] = n;
  if (n === 0) return m;
  const finished = episodes.filter((e) => !e.error);
  m[`${prefix}failed_episodes`] = n - finished.length;
  for (const e of episodes) if (e.error) m[`${prefix}failed/${e.error.kind}`] = (m[`${prefix}failed/${e.error.kind}`] ?? 0) + 1;
  m[`${prefix}success_rate`] = mean(episodes.map((e) => (e.outcome?.success ? 1 : 0)));
  const graded = episodes.filter((e) => e.outcome?.correct !== undefined || e.error);
  if (episodes.some((e) => e.outcome?.correct !== undefined)) m[`${prefix}accuracy`] = mean(graded.map((e) => (e.outcome?.correct ? 1 : 0)));
  const metricNames = new Set(finished.flatMap((e) => Object.keys(e.outcome?.metrics ?? {})));
  for (const name of metricNames) {
    const vals = finished.map((e) => e.outcome?.metrics[name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (vals.length) m[`${prefix}metric/${name}`] = mean(vals);
  }
  const actions = episodes.flatMap((e) => e.actions.map((a) => ({ a, e })));
  m[`${prefix}actions`] = actions.length;
  const coached = actions.filter(({ a }) => a.coach);
  if (coached.length) {
    m[`${prefix}coach/score_mean`] = mean(coached.map(({ a }) => a.coach!.score));
    m[`${prefix}coach/fallbacks`] = coached.filter(({ a }) => a.coach!.flags.fallback).length;
    m[`${prefix}coach/repairs`] = coached.filter(({ a }) => a.coach!.flags.repaired).length;
    m[`${prefix}coach/cache_hits`] = coached.filter(({ a }) => a.coach!.flags.cached).length;
    const agents = new Set(coached.map(({ a }) => a.agentId));
    for (const agent of agents) {
      m[`${prefix}coach/score/${agent}`] = mean(coached.filter(({ a }) => a.agentId === agent).map(({ a }) => a.coach!.score));
    }
    const types = new Set(coached.map(({ e }) => e.taskMetadata[taskTypeKey]).filter((t): t is string => typeof t === 'string'));
    for (const type of types) {
      for (const agent of agents) {
        const xs = coached.filter(({ a, e }) => a.agentId === agent && e.taskMetadata[taskTypeKey] === type).map(({ a }) => a.coach!.score);
        if (xs.length) m[`${prefix}coach/score/${agent}/${type}`] = mean(xs);
      }
    }
  }
  m[`${prefix}truncated_actions`] = actions.filter(({ a }) => a.finishReason === 'length').length;
  m[`${prefix}tool_calls`] = actions.reduce((s, { a }) => s + a.toolCalls.length, 0);
  m[`${prefix}tool_errors`] = actions.reduce((s, { a }) => s + a.toolCalls.filter((c) => c.status !== 'ok').length, 0);
  // Function tool calls carry an id; a call is valid when it parsed, named a known tool and matched its schema.
  const fnCalls = actions.flatMap(({ a }) => a.toolCalls.filter((c) => c.id !== undefined));
  if (fnCalls.length) {
    const invalid = new Set(['malformed', 'unknown-tool', 'invalid-arguments']);
    m[`${prefix}tool_calls/function`] = fnCalls.length;
    m[`${prefix}tool_calls/valid_rate`] = mean(fnCalls.map((c) => (c.errorKind && invalid.has(c.errorKind) ? 0 : 1)));
    for (const c of fnCalls) if (c.errorKind) m[`${prefix}tool_errors/${c.errorKind}`] = (m[`${prefix}tool_errors/${c.errorKind}`] ?? 0) + 1;
  }
  const types = new Set(episodes.map((e) => e.taskMetadata[taskTypeKey]).filter((t): t is string => typeof t === 'string'));
  for (const type of types) {
    const sub = episodes.filter((e) => e.taskMetadata[taskTypeKey] === type);
    m[`${prefix}success_rate/${type}`] = mean(sub.map((e) => (e.outcome?.success ? 1 : 0)));
    if (sub.some((e) => e.outcome?.correct !== undefined)) m[`${prefix}accuracy/${type}`] = mean(sub.map((e) => (e.outcome?.correct ? 1 : 0)));
  }
  return m;
}
