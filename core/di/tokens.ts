import type { ServiceIdentifier } from 'inversify';
import type { AgentSpec } from '../contracts/AgentSpec.js';
import type { Coach } from '../contracts/Coach.js';
import type { Environment } from '../contracts/Environment.js';
import type { Policy } from '../contracts/Policy.js';
import type { Sandbox } from '../contracts/Sandbox.js';
import type { TaskSource } from '../contracts/TaskSource.js';
import type { Trainer } from '../contracts/Trainer.js';
import type { ToolSource } from '../contracts/Tool.js';
import type { PluginRegistry } from '../plugins/PluginRegistry.js';
import { PLUGIN_TOKENS } from '../plugins/pluginTokens.js';
import type { ResolvedPipeline } from '../pipeline/ResolvedPipeline.js';
import type { RunLoggers } from '../runner/RunLoggers.js';
import type { RunStore } from '../runner/RunStore.js';
import type { ProgressReporter } from '../runner/ProgressReporter.js';
import type { WarmStartExecutor } from '../runner/WarmStartExecutor.js';
import type { UpdateExecutor } from '../runner/UpdateExecutor.js';

/**
 * DI service identifiers. `Symbol.for` keeps them identical across module copies (e.g. a plugin importing the package).
 * The ones a plugin's default module resolves (logger, run context, plugin factory) are declared by the plugin layer.
 */
export const TOKENS = {
  Logger: PLUGIN_TOKENS.Logger,
  RunContext: PLUGIN_TOKENS.RunContext,
  PluginRegistry: Symbol.for('mappa.PluginRegistry') as ServiceIdentifier<PluginRegistry>,
  PluginFactory: PLUGIN_TOKENS.PluginFactory,
  Pipeline: Symbol.for('mappa.Pipeline') as ServiceIdentifier<ResolvedPipeline>,
  Agents: Symbol.for('mappa.Agents') as ServiceIdentifier<readonly AgentSpec[]>,
  /** Bound once per policy, named by the policy id (`container.getAsync(TOKENS.Policy, { name })`). */
  Policy: Symbol.for('mappa.Policy') as ServiceIdentifier<Policy>,
  Policies: Symbol.for('mappa.Policies') as ServiceIdentifier<ReadonlyMap<string, Policy>>,
  Environment: Symbol.for('mappa.Environment') as ServiceIdentifier<Environment>,
  Coach: Symbol.for('mappa.Coach') as ServiceIdentifier<Coach>,
  Trainer: Symbol.for('mappa.Trainer') as ServiceIdentifier<Trainer>,
  TaskSource: Symbol.for('mappa.TaskSource') as ServiceIdentifier<TaskSource>,
  Sandbox: Symbol.for('mappa.Sandbox') as ServiceIdentifier<Sandbox>,
  RunStore: Symbol.for('mappa.RunStore') as ServiceIdentifier<RunStore>,
  Progress: Symbol.for('mappa.Progress') as ServiceIdentifier<ProgressReporter>,
  /** Where metrics rows go (console, metrics.jsonl, trackers); see core/contracts/RunLogger.ts. */
  RunLoggers: Symbol.for('mappa.RunLoggers') as ServiceIdentifier<RunLoggers>,
  /** Function tool sources per agent id (`agents[i].tools` entries that are `tool` plugins). */
  ToolSources: Symbol.for('mappa.ToolSources') as ServiceIdentifier<ReadonlyMap<string, readonly ToolSource[]>>,
  /** Optional: how warm-start jobs run (default: in this process, one after another). */
  WarmStartExecutor: Symbol.for('mappa.WarmStartExecutor') as ServiceIdentifier<WarmStartExecutor>,
  /** Optional: where `run.overlap: one-step` runs the updates (default: in this process, after the next rollouts). */
  UpdateExecutor: Symbol.for('mappa.UpdateExecutor') as ServiceIdentifier<UpdateExecutor>,
} as const;
