import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Logger } from '../contracts/Logger.js';
import { contractHint, contractProblems } from '../plugins/pluginContracts.js';
import { PluginFactory } from '../plugins/PluginFactory.js';
import type { PluginKind } from '../plugins/PluginKind.js';
import { silentLogger } from '../util/createLogger.js';
import type { PluginRef } from '../plugins/pluginRef.js';
import type { ResolvedPipeline } from './ResolvedPipeline.js';
import type { ValidationIssue } from '../util/ValidationIssue.js';

/**
 * Instantiates every plugin of a validated pipeline (in a throw-away run directory), checks each instance against
 * its kind's contract and disposes it. Catches what static validation cannot: a `create` that throws (a missing
 * API key variable, an unreadable file) or returns an object without the contract's methods. Loads models, so it
 * is `mappa validate --deep`, not the default.
 */
export async function checkPipelinePlugins(pipeline: ResolvedPipeline, options: { logger?: Logger } = {}): Promise<ValidationIssue[]> {
  const logger = options.logger ?? silentLogger;
  const { spec } = pipeline;
  const runDir = await mkdtemp(join(tmpdir(), 'mappa-validate-'));
  const run = {
    runDir,
    cacheDir: isAbsolute(spec.run.cacheDir) ? spec.run.cacheDir : resolve(pipeline.baseDir, spec.run.cacheDir),
    baseDir: pipeline.baseDir,
    seed: spec.seed,
    signal: new AbortController().signal,
  };
  const factory = new PluginFactory(pipeline.registry, run, logger);
  const refs: Array<[PluginKind, PluginRef, string, string?]> = [
    ['tasks', spec.tasks as PluginRef, 'tasks'],
    ['environment', spec.environment as PluginRef, 'environment'],
    ['coach', spec.coach as PluginRef, 'coach'],
    ...Object.entries(pipeline.policies).map(([id, ref]): [PluginKind, PluginRef, string, string] => ['policy', ref, pipeline.policyPaths[id] ?? `policies.${id}`, id]),
    ...(spec.trainer ? [['trainer', spec.trainer as PluginRef, 'trainer'] as [PluginKind, PluginRef, string]] : []),
    ...(spec.warmStart
      ? [
          ['demonstrations', spec.warmStart.demonstrations as PluginRef, 'warmStart.demonstrations'] as [PluginKind, PluginRef, string],
          ['trainer', spec.warmStart.trainer as PluginRef, 'warmStart.trainer'] as [PluginKind, PluginRef, string],
        ]
      : []),
  ];
  const issues: ValidationIssue[] = [];
  try {
    for (const [kind, ref, path, id] of refs) {
      let instance: unknown;
      try {
        instance = await factory.create(kind, ref, path, id);
      } catch (err) {
        const e = err as Error & { hint?: string };
        const own = e.message.startsWith(`${kind} plugin "${ref.use}"`);
        issues.push({ path, message: own ? e.message : `could not create ${kind} plugin "${ref.use}": ${e.message}`, ...(e.hint ? { hint: e.hint } : {}) });
        continue;
      }
      // Definitions not made with definePlugin skip its check; check here too.
      const problems = contractProblems(kind, instance);
      if (problems.length > 0) issues.push({ path, message: `${kind} plugin "${ref.use}": create() returned an object that ${problems.join(', ')}`, hint: contractHint(kind) });
      await (instance as { dispose?: () => unknown }).dispose?.();
    }
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
  return issues;
}
