/**
 * The data embedded in a report page (as JSON) and exposed to the page's script as `window.__mappaReport.data`.
 * Everything here is plain JSON: numbers that were NaN or missing are `null`.
 */
export interface ReportData {
  readonly title: string;
  readonly generatedAt: string;
  readonly runs: ReportRun[];
  /** The curves drawn in the page, with exactly the points taken from each run's `metrics.jsonl`. */
  readonly charts: ChartSpec[];
}

export interface ReportRun {
  readonly index: number;
  readonly label: string;
  readonly dir: string;
  readonly color: string;
  readonly summary: RunSummaryInfo;
  /** Every numeric metric by column, aligned with `steps` (null where a step has no value). */
  readonly metrics: { readonly steps: number[]; readonly columns: Record<string, Array<number | null>> };
  readonly coach: CoachStats;
  readonly episodes: ReportEpisode[];
  /** How many episodes the run has in total (the inspector may show a sample of them). */
  readonly episodeTotal: number;
  /** Visible notes about anything left out or unreadable (sampling, truncation, bad lines). */
  readonly notes: string[];
  /** `config.resolved.yaml`, possibly shortened (with a visible marker). */
  readonly configText: string | null;
}

export interface RunTimeBreakdown {
  /** Warm start + every step (rollouts, coach, training, evaluation, bookkeeping) + the step-0 evaluation. */
  readonly totalS: number | null;
  readonly warmStartS: number | null;
  readonly rolloutS: number | null;
  readonly trainS: number | null;
  readonly evalS: number | null;
}

export interface RunSummaryInfo {
  readonly name: string | null;
  readonly seed: number | null;
  readonly coach: string | null;
  readonly trainer: string | null;
  readonly agents: Array<{ readonly id: string; readonly role: string }>;
  readonly stepsPlanned: number | null;
  readonly lastStep: number | null;
  readonly finalEval: { readonly key: string; readonly step: number; readonly value: number } | null;
  readonly bestEval: { readonly key: string; readonly step: number; readonly value: number } | null;
  /** Seconds spent, from the `time/*` metrics (null when a run recorded none). */
  readonly time: RunTimeBreakdown;
  readonly rewardScale: number | null;
}

export interface ChartSeries {
  readonly run: number;
  /** The metrics.jsonl key the points come from. */
  readonly key: string;
  /** What the series stands for inside its chart (an agent id, a metric name or the run label). */
  readonly group: string;
  readonly label: string;
  readonly color: string;
  /** Line dash pattern ([] = solid); runs are told apart by dash when colors stand for agents. */
  readonly dash: number[];
  readonly x: number[];
  readonly y: number[];
}

export type ChartSection = 'eval' | 'train' | 'trainer' | 'coach';

export interface ChartSpec {
  readonly id: string;
  readonly section: ChartSection;
  readonly title: string;
  readonly yLabel: string;
  /** Fixed y range when the metric has natural bounds (rates, coach scores). */
  readonly yRange: [number, number] | null;
  /** Written as an SVG file for docs when true. */
  readonly main: boolean;
  readonly series: ChartSeries[];
}

export interface MeanCount {
  n: number;
  sum: number;
}

/** Coach figures for one agent, over every episode of the chosen phase (not just the embedded sample). */
export interface AgentCoachStats {
  readonly agentId: string;
  readonly role: string;
  actions: number;
  coached: number;
  scoreSum: number;
  /** Scores rounded to the nearest integer, bins 0..10. */
  readonly histogram: number[];
  fallbacks: number;
  repairs: number;
  cached: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  withUsage: number;
  /** Mean score by task type. */
  readonly byTaskType: Record<string, MeanCount>;
  /** Mean score split by how the episode ended: correct, wrong (graded but not correct), failed (error or no result). */
  readonly byOutcome: { correct: MeanCount; wrong: MeanCount; failed: MeanCount };
}

export interface PhaseEpisodeStats {
  episodes: number;
  success: number;
  graded: number;
  correct: number;
  failed: number;
  readonly failedByKind: Record<string, number>;
}

export interface CoachStats {
  /** Which episodes the coach figures come from (train rollouts, or eval when the run has no coached train actions). */
  phase: 'train' | 'eval';
  /** The task metadata field used for the per-task-type view, if any episode has one. */
  taskTypeKey: string | null;
  readonly taskTypes: string[];
  readonly agents: AgentCoachStats[];
  readonly coachNames: Record<string, number>;
  /** Most frequent coach error messages (fallback causes), with counts. */
  readonly errorMessages: Array<{ message: string; count: number }>;
  readonly episodes: { train: PhaseEpisodeStats; eval: PhaseEpisodeStats };
}

export interface ReportToolCall {
  readonly tool: string;
  readonly language: string | null;
  readonly status: string;
  readonly input: string;
  readonly output: string;
  readonly exitCode: number | null;
}

export interface ReportCoach {
  readonly score: number;
  readonly rationale: string;
  readonly coach: string;
  /** Any of `fallback`, `repaired`, `cached`. */
  readonly flags: string[];
  readonly error: string | null;
  readonly outcome: { readonly name: string; readonly value: number } | null;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number; readonly costUsd: number | null } | null;
}

export interface ReportAction {
  readonly index: number;
  readonly agentId: string;
  readonly role: string;
  readonly turnIndex: number;
  /**
   * The agent's input. When it extends the same agent's previous input (later actions of a turn),
   * only the new part is stored and `inputBase` names the action whose input it extends.
   */
  readonly input: string;
  readonly inputBase: number | null;
  readonly inputChars: number;
  readonly text: string;
  readonly finishReason: string;
  readonly policyVersion: number | null;
  readonly toolCalls: ReportToolCall[];
  readonly toolOutput: string;
  readonly filesWritten: Array<{ readonly path: string; readonly bytes: number }>;
  readonly coach: ReportCoach | null;
  readonly generateMs: number | null;
  readonly toolMs: number | null;
}

export interface ReportEpisode {
  readonly run: number;
  /** Unique within the run: the episode id, with `~2`, `~3`… added when a run repeats an id. */
  readonly ref: string;
  readonly id: string;
  readonly phase: string;
  readonly step: number;
  readonly taskId: string;
  readonly sampleIndex: number;
  readonly taskType: string | null;
  readonly taskMetadata: string;
  readonly outcome: {
    readonly success: boolean;
    readonly correct: boolean | null;
    readonly answer: string | null;
    readonly metrics: Record<string, number>;
  } | null;
  readonly error: { readonly kind: string; readonly message: string; readonly agentId: string | null } | null;
  readonly durationMs: number | null;
  readonly scoreMean: number | null;
  readonly scoreMin: number | null;
  readonly actions: ReportAction[];
  readonly artifacts: Array<{ readonly path: string; readonly bytes: number; readonly writtenBy: string }>;
}
