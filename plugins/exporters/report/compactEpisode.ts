import type { ActionRecord } from '../../../core/model/Action.js';
import type { EpisodeRecord } from '../../../core/model/Episode.js';
import { truncateMiddle } from '../../../core/util/truncate.js';
import type { ReportAction, ReportCoach, ReportEpisode } from './ReportData.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

function compactCoach(c: ActionRecord['coach']): ReportCoach | null {
  if (!c || typeof c.score !== 'number') return null;
  const flags = (['fallback', 'repaired', 'cached'] as const).filter((f) => c.flags?.[f]);
  return {
    score: c.score,
    rationale: str(c.rationale),
    coach: str(c.coach),
    flags: [...flags],
    error: c.error ? str(c.error) : null,
    outcome: c.outcome ? { name: str(c.outcome.name), value: c.outcome.value } : null,
    usage: c.usage ? { inputTokens: c.usage.inputTokens ?? 0, outputTokens: c.usage.outputTokens ?? 0, costUsd: num(c.usage.costUsd) } : null,
  };
}

/**
 * Keeps what a person reads in the inspector and drops what only training needs (token ids, log-probs): a report
 * of a large run stays small. Long texts are cut in the middle with a visible marker saying how much was cut.
 * A later action's input usually repeats the agent's previous input; then only the new part is stored.
 */
export function compactEpisode(ep: EpisodeRecord, run: number, ref: string, maxTextChars: number, taskType: string | null): ReportEpisode {
  const cut = (s: unknown) => truncateMiddle(str(s), maxTextChars);
  const lastInputByAgent = new Map<string, { index: number; input: string }>();
  const actions: ReportAction[] = (ep.actions ?? []).map((a) => {
    const input = str(a.inputText);
    const prev = lastInputByAgent.get(a.agentId);
    lastInputByAgent.set(a.agentId, { index: a.index, input });
    const extends_ = prev !== undefined && prev.input.length > 0 && input.startsWith(prev.input);
    return {
      index: a.index,
      agentId: str(a.agentId),
      role: str(a.role),
      turnIndex: a.turnIndex ?? 0,
      input: cut(extends_ ? input.slice(prev.input.length) : input),
      inputBase: extends_ ? prev.index : null,
      inputChars: input.length,
      text: cut(a.text),
      finishReason: str(a.finishReason),
      policyVersion: num(a.policyVersion),
      toolCalls: (a.toolCalls ?? []).map((t) => ({
        tool: str(t.tool),
        language: t.language ?? null,
        status: str(t.status),
        input: cut(t.input),
        output: cut(t.output),
        exitCode: num(t.exitCode),
      })),
      toolOutput: cut(a.toolOutput),
      filesWritten: (a.filesWritten ?? []).map((f) => ({ path: str(f.path), bytes: num(f.bytes) ?? 0 })),
      coach: compactCoach(a.coach),
      generateMs: num(a.timings?.generateMs),
      toolMs: num(a.timings?.toolMs),
    };
  });
  const scores = actions.flatMap((a) => (a.coach ? [a.coach.score] : []));
  let metadata = '';
  try {
    metadata = JSON.stringify(ep.taskMetadata ?? {}, null, 2);
  } catch {
    metadata = '(not serializable)';
  }
  return {
    run,
    ref,
    id: str(ep.id),
    phase: str(ep.phase),
    step: num(ep.step) ?? 0,
    taskId: str(ep.taskId),
    sampleIndex: num(ep.sampleIndex) ?? 0,
    taskType,
    taskMetadata: truncateMiddle(metadata, Math.min(maxTextChars, 4000)),
    outcome: ep.outcome
      ? {
          success: Boolean(ep.outcome.success),
          correct: typeof ep.outcome.correct === 'boolean' ? ep.outcome.correct : null,
          answer: ep.outcome.answer === undefined ? null : truncateMiddle(str(ep.outcome.answer), 2000),
          metrics: Object.fromEntries(Object.entries(ep.outcome.metrics ?? {}).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))),
        }
      : null,
    error: ep.error ? { kind: str(ep.error.kind), message: truncateMiddle(str(ep.error.message), 4000), agentId: ep.error.agentId ?? null } : null,
    durationMs: num(ep.durationMs),
    scoreMean: scores.length ? scores.reduce((s, x) => s + x, 0) / scores.length : null,
    scoreMin: scores.length ? Math.min(...scores) : null,
    actions,
    artifacts: (ep.artifacts ?? []).map((f) => ({ path: str(f.path), bytes: num(f.bytes) ?? 0, writtenBy: str(f.writtenBy) })),
  };
}
