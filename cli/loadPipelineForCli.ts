import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { applyOverrides } from '../core/pipeline/applyOverrides.js';
import { readPipelineFile } from '../core/pipeline/loadPipelineFile.js';
import { PipelineValidationError } from '../core/pipeline/PipelineValidationError.js';
import type { ResolvedPipeline } from '../core/pipeline/ResolvedPipeline.js';
import { validatePipeline } from '../core/pipeline/validatePipeline.js';
import type { ValidationIssue } from '../core/pipeline/ValidationIssue.js';
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
}

/** The pipeline a run directory was started from (saved as resume.json by `mappa train`). */
export async function loadPipelineFromRunDir(runDir: string): Promise<LoadedPipeline> {
  const infoFile = join(resolve(runDir), 'resume.json');
  if (!existsSync(infoFile)) throw new MappaError(`${runDir} is not a run directory (no resume.json)`, { hint: 'pass the directory `mappa train` printed' });
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as ResumeInfo;
  const result = await validatePipeline(info.raw, { registry: createBuiltinRegistry(), baseDir: info.baseDir, file: info.file });
  if (!result.ok) throw new PipelineValidationError(result.issues, info.file);
  return { pipeline: result.pipeline, raw: info.raw, warnings: result.warnings };
}
