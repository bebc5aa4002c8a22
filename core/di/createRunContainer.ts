import { Container } from 'inversify';
import type { Logger } from '../contracts/Logger.js';
import type { Policy } from '../contracts/Policy.js';
import type { ToolSource } from '../contracts/Tool.js';
import type { RunContext } from '../contracts/RunContext.js';
import type { ResolvedPipeline } from '../pipeline/ResolvedPipeline.js';
import { PluginFactory } from '../plugins/PluginFactory.js';
import type { PluginInstanceMap, PluginKind } from '../plugins/PluginKind.js';
import type { PluginRef } from '../plugins/pluginRef.js';
import { validatePluginRef } from '../plugins/validatePluginRef.js';
import { PipelineValidationError } from '../util/PipelineValidationError.js';
import type { ValidationIssue } from '../util/ValidationIssue.js';
import type { ProgressReporter } from '../runner/ProgressReporter.js';
import { Runner } from '../runner/Runner.js';
import type { RunLoggers } from '../runner/RunLoggers.js';
import type { RunStore } from '../runner/RunStore.js';
import type { WarmStartExecutor } from '../runner/WarmStartExecutor.js';
import type { UpdateExecutor } from '../runner/UpdateExecutor.js';
import { TOKENS } from './tokens.js';

export interface RunContainerOptions {
  readonly pipeline: ResolvedPipeline;
  readonly run: RunContext;
  readonly logger: Logger;
  readonly store: RunStore;
  readonly progress: ProgressReporter;
  readonly warmStartExecutor?: WarmStartExecutor;
  readonly updateExecutor?: UpdateExecutor;
  readonly loggers?: RunLoggers;
}

/**
 * Builds the DI container of a run: core services as constants, then each plugin's own ContainerModule
 * (tasks, environment, coach, trainer, and one named binding per policy), then the Runner.
 */
export function createRunContainer(options: RunContainerOptions): Container {
  const { pipeline, run, logger } = options;
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.RunContext).toConstantValue(run);
  container.bind(TOKENS.PluginRegistry).toConstantValue(pipeline.registry);
  container.bind(TOKENS.PluginFactory).toConstantValue(new PluginFactory(pipeline.registry, run, logger));
  container.bind(TOKENS.Pipeline).toConstantValue(pipeline);
  container.bind(TOKENS.Agents).toConstantValue(pipeline.agents);
  container.bind(TOKENS.RunStore).toConstantValue(options.store);
  container.bind(TOKENS.Progress).toConstantValue(options.progress);
  if (options.loggers) container.bind(TOKENS.RunLoggers).toConstantValue(options.loggers);
  if (options.warmStartExecutor) container.bind(TOKENS.WarmStartExecutor).toConstantValue(options.warmStartExecutor);
  if (options.updateExecutor) container.bind(TOKENS.UpdateExecutor).toConstantValue(options.updateExecutor);

  const load = <K extends PluginKind>(kind: K, ref: PluginRef, path: string, token: symbol, name?: string) => {
    const issues: ValidationIssue[] = [];
    const checked = validatePluginRef(pipeline.registry, kind, ref, path, issues);
    if (issues.length || !checked?.definition) throw new PipelineValidationError(issues, pipeline.file);
    container.load(
      checked.definition.containerModule(checked.config, {
        token: token as never,
        path,
        id: name ?? ref.use,
        ...(name !== undefined ? { name } : {}),
      }),
    );
  };
  const spec = pipeline.spec;
  load('tasks', spec.tasks, 'tasks', TOKENS.TaskSource as symbol);
  load('environment', spec.environment, 'environment', TOKENS.Environment as symbol);
  load('coach', spec.coach, 'coach', TOKENS.Coach as symbol);
  if (spec.trainer) load('trainer', spec.trainer, 'trainer', TOKENS.Trainer as symbol);
  for (const [name, ref] of Object.entries(pipeline.policies)) {
    load('policy', ref, pipeline.policyPaths[name] ?? `policies.${name}`, TOKENS.Policy as symbol, name);
  }
  container
    .bind(TOKENS.Policies)
    .toDynamicValue(async (ctx) => {
      const map = new Map<string, Policy>();
      // Sequential creation keeps start-up deterministic (and memory peaks low when loading checkpoints).
      for (const name of Object.keys(pipeline.policies)) map.set(name, await ctx.getAsync(TOKENS.Policy, { name }));
      return map;
    })
    .inSingletonScope();
  container
    .bind(TOKENS.ToolSources)
    .toDynamicValue(async (ctx) => {
      const factory = ctx.get(TOKENS.PluginFactory);
      const map = new Map<string, ToolSource[]>();
      for (const agent of pipeline.agents) {
        const sources: ToolSource[] = [];
        for (const { ref, path } of agent.toolRefs ?? []) sources.push(await factory.create('tool', ref, path));
        if (sources.length) map.set(agent.id, sources);
      }
      return map;
    })
    .inSingletonScope();
  container.bind(Runner).toSelf().inSingletonScope();
  return container;
}

/** Disposes every plugin instance the container created. */
export async function disposeRunContainer(container: Container): Promise<void> {
  const tryGet = async <T>(token: symbol): Promise<T | undefined> => {
    try {
      return container.isBound(token) ? await container.getAsync<T>(token) : undefined;
    } catch {
      return undefined;
    }
  };
  const policies = await tryGet<ReadonlyMap<string, Policy>>(TOKENS.Policies as symbol);
  for (const p of policies?.values() ?? []) await p.dispose?.();
  const tools = await tryGet<ReadonlyMap<string, readonly ToolSource[]>>(TOKENS.ToolSources as symbol);
  for (const sources of tools?.values() ?? []) for (const s of sources) await s.dispose?.();
  for (const token of [TOKENS.Environment, TOKENS.Coach, TOKENS.Trainer] as symbol[]) {
    const inst = await tryGet<{ dispose?: () => unknown }>(token);
    await inst?.dispose?.();
  }
}

export type { PluginInstanceMap };
