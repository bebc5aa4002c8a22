import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentSpec } from '../../core/contracts/AgentSpec.js';
import type { EpisodeEnvironment, Observation, ToolResult } from '../../core/contracts/Environment.js';
import type { RunCodeResponse } from '../../core/contracts/Sandbox.js';
import type { ActionRecord } from '../../core/model/Action.js';
import type { Artifact } from '../../core/model/Artifact.js';
import type { AgentTurn, Outcome } from '../../core/model/Episode.js';
import type { ToolCall } from '../../core/model/ToolCall.js';
import { truncateMiddle } from '../../core/util/truncate.js';
import type { FileTracker } from '../code-sandbox/FileTracker.js';
import { extractCodeBlocks } from '../code-sandbox/extractCodeBlocks.js';
import type { DsbenchCoachExtras } from './coachExtras.js';
import type { DsbenchEnvironmentSettings } from './DsbenchEnvironmentConfig.js';
import type { DsbenchTaskFiles, DsbenchTaskMetadata } from './DsbenchTaskMeta.js';
import { gradeFigures, gradeSubmission, type GradeResult } from './grading/gradeSubmission.js';
import { handoffText, stripThinkingBlocks } from './handoffText.js';
import type { DsbenchWorkspace } from './openDsbenchWorkspace.js';
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

/** Python caches and dot-files are noise for agents and coaches. */
const hidden = (path: string) => path.split('/').some((s) => s === '__pycache__' || s.startsWith('.'));

/** One episode of the DSBench pipeline: a workspace with the task files, code execution, file attribution, grading. */
export class DsbenchEpisode implements EpisodeEnvironment {
  #grade: { readonly result: GradeResult; readonly sha: string } | undefined;
  #answers: string | undefined;
  readonly #warnings = new Map<string, string>();

  constructor(
    private readonly meta: DsbenchTaskMetadata,
    private readonly files: DsbenchTaskFiles,
    private readonly ws: DsbenchWorkspace,
    private readonly tracker: FileTracker,
    private readonly o: DsbenchEnvironmentSettings,
  ) {}

  #visible(artifacts: readonly Artifact[]): Artifact[] {
    return artifacts.filter((a) => !hidden(a.path));
  }

  #fileNames(): string[] {
    return this.#visible(this.tracker.list()).map((a) => a.path);
  }

  async observe(agent: AgentSpec, upstream: ReadonlyMap<string, AgentTurn>): Promise<Observation> {
    const { vars, warning } = observationVars({
      meta: this.meta,
      files: this.#visible(this.tracker.list()),
      stage: stageOf(agent, this.o.stages),
      previous: [...upstream.values()].map((t) => ({ agentId: t.agentId, role: t.role, output: handoffText(t) })),
      submissionFile: this.o.submissionFile,
      helper: this.o.helperModule,
    });
    if (warning) this.#warnings.set(agent.id, warning);
    else this.#warnings.delete(agent.id);
    return { vars };
  }

  #toolCall(code: string, res: RunCodeResponse, ms: number): { call: ToolCall; error?: ExecutionError } {
    const limit = this.o.toolOutputChars;
    const rr = res.runResult;
    if (res.status === 'SandboxError' || !rr) {
      const message = res.message || 'sandbox failed';
      return { call: { tool: 'python', input: code, language: 'python', status: 'sandbox-error', output: `[Sandbox Error] ${message}`, durationMs: ms }, error: { kind: 'SandboxError', message } };
    }
    const stdout = truncateMiddle(rr.stdout, limit);
    const stderr = truncateMiddle(rr.stderr, Math.floor(limit / 2));
    const base = { tool: 'python', input: code, language: 'python', durationMs: ms, ...(rr.returnCode !== null ? { exitCode: rr.returnCode } : {}) };
    if (rr.status === 'TimeLimitExceeded') {
      return {
        call: { ...base, status: 'timeout', output: `[Execution TimeLimitExceeded]\n[stdout]: ${stdout}\n[stderr/error]: ${stderr}` },
        error: { kind: 'TimeLimitExceeded', message: `the code ran longer than ${this.o.runTimeout} s` },
      };
    }
    if (rr.status === 'Error' || (rr.returnCode ?? 0) !== 0) {
      const lastLine = rr.stderr.trim().split('\n').pop() ?? '';
      return {
        call: { ...base, status: 'error', output: `[Execution Error]\n[stdout]: ${stdout}\n[stderr/error]: ${stderr}` },
        error: parsePythonError(rr.stderr) ?? { kind: 'Error', message: lastLine || `exit code ${rr.returnCode}` },
      };
    }
    const output = [stdout.trimEnd(), stderr.trim() ? `[stderr]: ${stderr.trimEnd()}` : ''].filter(Boolean).join('\n') || '(no output)';
    return { call: { ...base, status: 'ok', output } };
  }

  async executeTools(agent: AgentSpec, action: { readonly text: string; readonly index: number }): Promise<ToolResult | undefined> {
    const blocks = extractCodeBlocks(action.text, ['python']);
    if (blocks.length === 0) return undefined;
    const toRun = blocks.slice(0, this.o.maxCodeBlocksPerAction);
    const calls: ToolCall[] = [];
    let firstError: ExecutionError | undefined;
    for (const block of toRun) {
      const t0 = performance.now();
      const res = await this.ws.run(block.code, { runTimeout: this.o.runTimeout, memoryLimitMb: this.o.memoryLimitMb });
      const { call, error } = this.#toolCall(block.code, res, performance.now() - t0);
      calls.push(call);
      firstError ??= error;
    }
    const written = this.#visible(await this.tracker.commit(agent.id, action.index));
    const submission = written.find((a) => a.path === this.o.submissionFile);
    if (submission) await this.#gradeCurrent();
    const notes: string[] = [];
    if (blocks.length > toRun.length) notes.push(`[${blocks.length - toRun.length} more code block(s) not run: at most ${toRun.length} per action]`);
    if (this.o.reportFiles) notes.push(written.length ? `[files written: ${written.map((a) => a.path).join(', ')}]` : '[no files written]');
    const content = [calls.map((c) => c.output).join('\n------\n'), ...notes].join('\n');
    const stage = stageOf(agent, this.o.stages);
    const facts: DsbenchToolFacts = {
      ...(stage ? { stage } : {}),
      codeBlocks: blocks.length,
      blocksRun: toRun.length,
      codeRan: calls.every((c) => c.status === 'ok'),
      ...(firstError ? { executionError: firstError } : {}),
      filesWrittenByAction: written.map((a) => a.path),
      submissionWritten: submission !== undefined,
    };
    return { calls, message: { role: 'user', content: `<tool_response>\n${content}\n</tool_response>` }, filesWritten: written, extras: facts };
  }

  /** Grades the submission file as it is now (cached by content hash). */
  async #gradeCurrent(): Promise<GradeResult> {
    const path = join(this.ws.hostDir, this.o.submissionFile);
    const sub = existsSync(path) ? await readFile(path, 'utf8') : undefined;
    const sha = this.tracker.list().find((a) => a.path === this.o.submissionFile)?.sha256 ?? (sub === undefined ? 'none' : `len-${sub.length}`);
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

  async artifacts(): Promise<readonly Artifact[]> {
    return this.#visible(this.tracker.list());
  }

  async coachContext(agent: AgentSpec, action: ActionRecord, previous: readonly ActionRecord[]): Promise<Readonly<Record<string, unknown>>> {
    const stage = stageOf(agent, this.o.stages);
    const facts = action.extras as Partial<DsbenchToolFacts>;
    const others = new Map<string, { role: string; files: Set<string>; last: string }>();
    for (const a of previous) {
      if (a.agentId === agent.id) continue;
      const entry = others.get(a.agentId) ?? { role: a.role, files: new Set<string>(), last: '' };
      for (const f of a.filesWritten) if (!hidden(f.path)) entry.files.add(f.path);
      entry.last = a.text;
      others.set(a.agentId, entry);
    }
    const filesFromPreviousAgents =
      others.size === 0
        ? '(first agent: no previous files)'
        : [...others.values()].map((o) => `${o.role} saved: ${o.files.size ? [...o.files].join(', ') : 'NO FILES SAVED'}`).join(' / ');
    const warning = this.#warnings.get(agent.id);
    const extras: DsbenchCoachExtras = {
      ...(stage ? { stage } : {}),
      agentName: agent.id,
      filesAvailable: this.#fileNames(),
      filesFromPreviousAgents,
      filesWrittenByAction: action.filesWritten.map((f) => f.path).filter((p) => !hidden(p)),
      taskType: this.meta.taskType,
      ...(warning ? { missingArtifactWarning: warning } : {}),
      codeBlocks: facts.codeBlocks ?? 0,
      blocksRun: facts.blocksRun ?? 0,
      codeRan: facts.codeRan ?? false,
      ...(facts.executionError ? { executionError: facts.executionError } : {}),
      previousOutputs: [...others.values()].map((o) => `${o.role}:\n${stripThinkingBlocks(o.last)}`).join('\n\n'),
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
    await this.ws.close();
  }
}
