import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { PluginRegistry } from '../plugins/PluginRegistry.js';
import { PipelineValidationError } from '../util/PipelineValidationError.js';
import type { ResolvedPipeline } from './ResolvedPipeline.js';
import { validatePipeline } from './validatePipeline.js';
import type { ValidationIssue } from '../util/ValidationIssue.js';

/** Reads a pipeline file (YAML, JSON, or a TypeScript/JavaScript module whose default export is the pipeline object). */
export async function readPipelineFile(file: string): Promise<unknown> {
  const abs = resolve(file);
  const ext = extname(abs).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.js' || ext === '.mjs') {
    const mod = (ext.endsWith('ts')
      ? await (await import('tsx/esm/api')).tsImport(pathToFileURL(abs).href, import.meta.url)
      : await import(pathToFileURL(abs).href)) as { default?: unknown };
    return mod.default ?? mod;
  }
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    throw new PipelineValidationError([{ path: '(file)', message: `cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  if (ext === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new PipelineValidationError([{ path: '(file)', message: `invalid JSON: ${(err as Error).message}` }], abs);
    }
  }
  const lineCounter = new LineCounter();
  // yaml's own duplicate-key check compares every key with every other (minutes for a 250k-key mapping); ours is
  // one set per mapping.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter });
  if (doc.errors.length > 0) {
    const issues: ValidationIssue[] = doc.errors.map((e) => ({
      path: `(line ${e.linePos?.[0]?.line ?? '?'}, column ${e.linePos?.[0]?.col ?? '?'})`,
      message: e.message.split('\n')[0] ?? e.message,
    }));
    throw new PipelineValidationError(issues, abs);
  }
  const duplicates: ValidationIssue[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key);
        if (seen.has(key)) {
          const pos = isScalar(pair.key) && pair.key.range ? lineCounter.linePos(pair.key.range[0]) : undefined;
          duplicates.push({ path: `(line ${pos?.line ?? '?'}, column ${pos?.col ?? '?'})`, message: `duplicate key "${key}" in a mapping` });
        }
        seen.add(key);
      }
    },
  });
  if (duplicates.length > 0) throw new PipelineValidationError(duplicates, abs);
  try {
    return doc.toJS();
  } catch (err) {
    // e.g. yaml's guard against alias bombs ("excessive alias count"), or an alias to an anchor that does not exist.
    throw new PipelineValidationError([{ path: '(file)', message: (err as Error).message, hint: 'remove the YAML aliases (*name) or the anchors they expand' }], abs);
  }
}

/** Reads and validates a pipeline file; throws PipelineValidationError listing every problem. */
export async function loadPipelineFile(file: string, registry: PluginRegistry): Promise<{ pipeline: ResolvedPipeline; warnings: readonly ValidationIssue[] }> {
  const abs = resolve(file);
  const raw = await readPipelineFile(abs);
  const result = await validatePipeline(raw, { registry, baseDir: dirname(abs), file: abs });
  if (!result.ok) throw new PipelineValidationError(result.issues, abs);
  return { pipeline: result.pipeline, warnings: result.warnings };
}
