import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { applyOverrides } from '../core/pipeline/applyOverrides.js';
import { readPipelineFile } from '../core/pipeline/loadPipelineFile.js';
import { PipelineValidationError } from '../core/util/PipelineValidationError.js';
import type { ResolvedPipeline } from '../core/pipeline/ResolvedPipeline.js';
import { validatePipeline } from '../core/pipeline/validatePipeline.js';
import type { ValidationIssue } from '../core/util/ValidationIssue.js';
import { MappaError } from '../core/util/MappaError.js';
import { createBuiltinRegistry } from '../plugins/builtins.js';

export interface LoadedPipeline {
  readonly pipeline: ResolvedPipeline;
  readonly raw: unknown;
  readonly warnings: readonly ValidationIssue[];
}

/** Reads, overrides and validates a pipeline file with every built-in plugin registered. */
export async function loadPipelineForCli(file: string, overrides: readonly string[] = []): Promise<LoadedPipeline> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new MappaError(`pipeline file not found: ${abs}`);
  const raw = applyOverrides(await readPipelineFile(abs), overrides);
  const result = await validatePipeline(raw, { registry: createBuiltinRegistry(), baseDir: dirname(abs), file: abs });
  if (!result.ok) throw new PipelineValidationError(result.issues, abs);
  return { pipeline: result.pipeline, raw, warnings: result.warnings };
}

export interface ResumeInfo {
  readonly file: string;
  readonly baseDir: string;
  readonly raw: unknown;
  /** SHA-256 of each agent prompt file when the run started (to warn when one is edited before a resume). */
  readonly promptHashes?: Readonly<Record<string, string>>;
}

/**
 * What `train --resume RUN_DIR --set …` may change: how long the run goes on and how it runs, never what it learns
 * from or how (seed, tasks, agents, policies, coach, trainer, rewards), which would make the resumed run a different
 * experiment than its checkpoint.
 */
export const RESUME_MAY_CHANGE = ['run.steps', 'run.eval', 'run.concurrency', 'run.coachConcurrency', 'run.checkpointEvery', 'run.keepCheckpoints', 'run.report'];

/** SHA-256 of the prompt files of a pipeline's agents (missing files are left out). */
export function promptHashes(pipeline: ResolvedPipeline): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of pipeline.agents) {
    if (a.promptFile && existsSync(a.promptFile)) out[a.promptFile] = createHash('sha256').update(readFileSync(a.promptFile)).digest('hex');
  }
  return out;
}

export interface LoadedRun extends LoadedPipeline {
  readonly promptHashes: Readonly<Record<string, string>>;
}

/** The pipeline a run directory was started from (saved as resume.json by `mappa train`), with allowed overrides. */
export async function loadPipelineFromRunDir(runDir: string, overrides: readonly string[] = []): Promise<LoadedRun> {
  const infoFile = join(resolve(runDir), 'resume.json');
  if (!existsSync(infoFile)) throw new MappaError(`${runDir} is not a run directory (no resume.json)`, { hint: 'pass the directory `mappa train` printed' });
  let info: ResumeInfo;
  try {
    info = JSON.parse(readFileSync(infoFile, 'utf8')) as ResumeInfo;
    if (typeof info !== 'object' || info === null || typeof info.baseDir !== 'string' || typeof info.raw !== 'object' || info.raw === null) {
      throw new Error('expected {file, baseDir, raw}');
    }
  } catch (err) {
    throw new MappaError(`${infoFile} is unreadable: ${(err as Error).message}`, { hint: 'the run directory is damaged; start a new run from the pipeline file' });
  }
  for (const o of overrides) {
    const path = o.slice(0, Math.max(0, o.indexOf('='))).trim();
    if (!RESUME_MAY_CHANGE.some((p) => path === p || path.startsWith(`${p}.`))) {
      throw new MappaError(`--set ${path || o}: this field cannot change on resume (the checkpoint was trained with the saved pipeline)`, {
        hint: `a resume may change ${RESUME_MAY_CHANGE.join(', ')}; for other changes start a new run`,
      });
    }
  }
  const raw = applyOverrides(info.raw, overrides);
  const result = await validatePipeline(raw, { registry: createBuiltinRegistry(), baseDir: info.baseDir, file: info.file });
  if (!result.ok) throw new PipelineValidationError(result.issues, info.file);
  const warnings: ValidationIssue[] = [...result.warnings];
  const now = promptHashes(result.pipeline);
  const then = info.promptHashes ?? {};
  for (const [i, a] of result.pipeline.agents.entries()) {
    const f = a.promptFile;
    if (f && then[f] !== undefined && now[f] !== then[f]) {
      warnings.push({ path: `agents[${i}].prompt`, message: `${f} changed since the run started; the resumed steps use the edited text` });
    }
  }
  return { pipeline: result.pipeline, raw, warnings, promptHashes: Object.keys(then).length ? then : now };
}
