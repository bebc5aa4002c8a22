import { readFile } from 'node:fs/promises';
import type { AgentSpec } from '../../core/contracts/AgentSpec.js';
import type { EpisodeEnvironment, Observation, ToolResult } from '../../core/contracts/Environment.js';
import type { ActionRecord } from '../../core/model/Action.js';
import type { Artifact } from '../../core/model/Artifact.js';
import type { AgentTurn, Outcome } from '../../core/model/Episode.js';
import { safeReadFile } from '../../plugins/sandboxes/shared/workspaceFiles.js';
import type { BlockToolResponseFormatter } from '../code-sandbox/BlockToolResponseFormatter.js';
import type { CodeToolRunner } from '../code-sandbox/CodeToolRunner.js';
import { codeToolCall, type CodeBlockRun } from '../code-sandbox/runCodeBlock.js';
import type { DsbenchCoachFacts } from './dsbenchCoachFacts.js';
import type { DsbenchEnvironmentSettings } from './DsbenchEnvironmentConfig.js';
import type { DsbenchTaskFiles, DsbenchTaskMetadata } from './DsbenchTaskMeta.js';
import { gradeFigures, gradeSubmission, type GradeResult } from './grading/gradeSubmission.js';
import { handoffText, stripThinkingBlocks } from './handoffText.js';
import { parsePythonError, type ExecutionError } from './pythonErrors.js';
import { observationVars } from './observationVars.js';
import { stageOf } from './stages.js';

/** Facts about one action's code run, stored in `ActionRecord.extras` (no ground truth in here). */
export interface DsbenchToolFacts {
  readonly [key: string]: unknown;
  readonly stage?: string;
  readonly codeBlocks: number;
  readonly blocksRun: number;
  readonly codeRan: boolean;
  readonly executionError?: ExecutionError;
  readonly filesWrittenByAction: string[];
  readonly submissionWritten: boolean;
}

export const NO_PREDICTIONS = 'ERROR: No predictions found (no submission file has been written yet)';

/** Python caches and dot-files are noise for agents and coaches: the workspace's file tracking leaves them out. */
export const isHiddenWorkspaceFile = (path: string) => path.split('/').some((s) => s === '__pycache__' || s.startsWith('.'));

/** What went wrong in a block that failed (the Python exception, the time limit or the sandbox). */
function executionError(run: CodeBlockRun, runTimeout: number): ExecutionError | undefined {
  if (run.ok) return undefined;
  if (run.runStatus === 'SandboxError') return { kind: 'SandboxError', message: run.message || 'sandbox failed' };
  if (run.runStatus === 'TimeLimitExceeded') return { kind: 'TimeLimitExceeded', message: `the code ran longer than ${runTimeout} s` };
  const lastLine = run.stderr.trim().split('\n').pop() ?? '';
  return parsePythonError(run.stderr) ?? { kind: 'Error', message: lastLine || `exit code ${run.exitCode ?? null}` };
}

/** One episode of the DSBench pipeline: a workspace with the task files, code execution, file attribution, grading. */
export class DsbenchEpisode implements EpisodeEnvironment {
  #grade: { readonly result: GradeResult; readonly sha: string } | undefined;
  #answers: string | undefined;
  readonly #warnings = new Map<string, string>();

  constructor(
    private readonly meta: DsbenchTaskMetadata,
    private readonly files: DsbenchTaskFiles,
    private readonly code: CodeToolRunner,
    private readonly formatter: BlockToolResponseFormatter,
    private readonly o: DsbenchEnvironmentSettings,
  ) {}

  #fileNames(): string[] {
    return this.code.files().map((a) => a.path);
  }

  async observe(agent: AgentSpec, upstream: ReadonlyMap<string, AgentTurn>): Promise<Observation> {
    const { vars, warning } = observationVars({
      meta: this.meta,
      files: this.code.files(),
      stage: stageOf(agent, this.o.stages),
      previous: [...upstream.values()].map((t) => ({ agentId: t.agentId, role: t.role, output: handoffText(t) })),
      submissionFile: this.o.submissionFile,
      helper: this.o.helperModule,
    });
    if (warning) this.#warnings.set(agent.id, warning);
    else this.#warnings.delete(agent.id);
    return { vars };
  }

  async executeTools(agent: AgentSpec, action: { readonly text: string; readonly index: number }): Promise<ToolResult | undefined> {
    const ran = await this.code.run(agent.id, action.index, action.text);
    if (!ran) return undefined;
    const { runs, filesWritten: written } = ran;
    const submission = written.find((a) => a.path === this.o.submissionFile);
    if (submission) await this.#gradeCurrent();
    const notes: string[] = [];
    if (ran.skipped > 0) notes.push(`[${ran.skipped} more code block(s) not run: at most ${this.o.maxCodeBlocksPerAction} per action]`);
    if (this.o.reportFiles) notes.push(written.length ? `[files written: ${written.map((a) => a.path).join(', ')}]` : '[no files written]');
    const formatted = this.formatter.format(runs, { notes });
    const calls = runs.map((r, i) => codeToolCall(r, 'python', formatted.blocks[i]!));
    const firstError = runs.map((r) => executionError(r, this.o.runTimeout)).find((e) => e !== undefined);
    const stage = stageOf(agent, this.o.stages);
    const facts: DsbenchToolFacts = {
      ...(stage ? { stage } : {}),
      codeBlocks: ran.blocks,
      blocksRun: runs.length,
      codeRan: runs.every((r) => r.ok),
      ...(firstError ? { executionError: firstError } : {}),
      filesWrittenByAction: written.map((a) => a.path),
      submissionWritten: submission !== undefined,
    };
    return { calls, message: { role: 'user', content: formatted.message }, filesWritten: written, extras: facts };
  }

  /** Grades the submission file as it is now (cached by content hash). */
  async #gradeCurrent(): Promise<GradeResult> {
    // Never through a symlink the agents' code may have planted under the submission's name.
    const sub = (await safeReadFile(this.code.workspaceDir, this.o.submissionFile))?.toString('utf8');
    const sha = this.code.files().find((a) => a.path === this.o.submissionFile)?.sha256 ?? (sub === undefined ? 'none' : `len-${sub.length}`);
    if (this.#grade && this.#grade.sha === sha) return this.#grade.result;
    this.#answers ??= await readFile(this.files.answerFile, 'utf8');
    const result = gradeSubmission(
      this.#answers,
      sub,
      {
        target: this.meta.target,
        idColumn: this.meta.idColumn,
        taskType: this.meta.taskType,
        metric: this.meta.metric,
        ...(this.meta.baselineScore !== undefined ? { baselineScore: this.meta.baselineScore } : {}),
        ...(this.meta.gtScore !== undefined ? { gtScore: this.meta.gtScore } : {}),
        columnMatching: this.o.columnMatching,
      },
      'test_answer.csv',
    );
    if (sub !== undefined) this.#grade = { result, sha };
    return result;
  }

  workspace() {
    return this.code.sandboxWorkspace;
  }

  async commitFiles(agent: AgentSpec, actionIndex: number): Promise<readonly Artifact[]> {
    return this.code.commitFiles(agent.id, actionIndex);
  }

  async artifacts(): Promise<readonly Artifact[]> {
    return this.code.files();
  }

  async coachContext(agent: AgentSpec, action: ActionRecord, previous: readonly ActionRecord[]): Promise<Readonly<Record<string, unknown>>> {
    const stage = stageOf(agent, this.o.stages);
    const facts = action.extras as Partial<DsbenchToolFacts>;
    const others = new Map<string, { role: string; files: Set<string>; last: string }>();
    for (const a of previous) {
      if (a.agentId === agent.id) continue;
      const entry = others.get(a.agentId) ?? { role: a.role, files: new Set<string>(), last: '' };
      for (const f of a.filesWritten) entry.files.add(f.path);
      entry.last = a.text;
      others.set(a.agentId, entry);
    }
    const filesFromPreviousAgents =
      others.size === 0
        ? '(first agent: no previous files)'
        : [...others.values()].map((o) => `${o.role} saved: ${o.files.size ? [...o.files].join(', ') : 'NO FILES SAVED'}`).join(' / ');
    const warning = this.#warnings.get(agent.id);
    const extras: DsbenchCoachFacts = {
      ...(stage ? { stage } : {}),
      agentName: agent.id,
      filesAvailable: this.#fileNames(),
      filesFromPreviousAgents,
      filesWrittenByAction: action.filesWritten.map((f) => f.path),
      taskType: this.meta.taskType,
      ...(warning ? { missingArtifactWarning: warning } : {}),
      codeBlocks: facts.codeBlocks ?? 0,
      blocksRun: facts.blocksRun ?? 0,
      codeRan: facts.codeRan ?? false,
      ...(facts.executionError ? { executionError: facts.executionError } : {}),
      previousOutputs: [...others.values()].map((o) => `${o.role}:\n${stripThinkingBlocks(o.last)}`).join('\n\n'),
      ...(action.turnIndex >= agent.maxActions - 1 ? { lastAction: true } : {}),
    };
    // Metrics come from the hidden answers: only for the Analyst, and only when the pipeline lets the coach see ground truth.
    if (stage === 'analyst' && agent.coachSeesGroundTruth) {
      const grade = this.#grade?.result;
      return grade
        ? { ...extras, metrics: gradeFigures(grade), metricsText: grade.text, submissionValid: grade.valid }
        : { ...extras, metricsText: NO_PREDICTIONS };
    }
    return extras;
  }

  groundTruth(): unknown {
    return this.#grade?.result.text ?? NO_PREDICTIONS;
  }

  async evaluate(): Promise<Outcome> {
    const grade = await this.#gradeCurrent();
    const metrics = gradeFigures(grade);
    if (Number.isFinite(grade.rpg)) metrics[`rpg/${grade.taskType}`] = grade.rpg;
    const answer = grade.valid
      ? `${this.o.submissionFile}: ${grade.metric} = ${grade.score === undefined ? 'n/a' : grade.score.toFixed(4)}`
      : `no valid ${this.o.submissionFile}: ${grade.error}`;
    return { success: grade.valid, metrics, answer };
  }

  async close(): Promise<void> {
    await this.code.close();
  }
}
