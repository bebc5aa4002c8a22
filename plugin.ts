// `@mappa/sdk/plugin`: everything needed to write a plugin, and nothing that runs a pipeline.
// zod is re-exported as `z` so a plugin's schemas are built with the same zod the SDK validates and introspects
// them with (nested plugin refs, "did you mean" hints, the JSON schema); plugin packages need no zod dependency.
import 'reflect-metadata';
export { z } from 'zod';
export { definePlugin, type DefinePluginOptions } from './core/plugins/definePlugin.js';
export { defineEnvironment, type DefineEnvironmentOptions, type EpisodeHooks } from './core/plugins/defineEnvironment.js';
export { defineCoach, type DefineCoachOptions, type FactsCoachInput, type RuleScore } from './core/plugins/defineCoach.js';
export { defineTaskSource, type DefineTaskSourceOptions, type TaskInput } from './core/plugins/defineTaskSource.js';
export { PLUGIN_CONTRACTS, contractProblems, type PluginContract } from './core/plugins/pluginContracts.js';
export type { PluginDefinition, PluginDeps, PluginBinding, PluginCapabilities, AnyPluginDefinition } from './core/plugins/PluginDefinition.js';
export type { PluginCreator, PluginRefLike } from './core/plugins/PluginCreator.js';
export { PLUGIN_KINDS, type PluginKind, type PluginInstanceMap } from './core/plugins/PluginKind.js';
export { pluginRef, type PluginRef } from './core/pipeline/pluginRef.js';
export { TOKENS } from './core/di/tokens.js';
export { MappaError } from './core/util/MappaError.js';
export { Rng } from './core/util/Rng.js';
export { deriveSeed } from './core/util/deriveSeed.js';
export { redactSecrets, redactString } from './core/util/redactSecrets.js';
export { silentLogger } from './core/util/createLogger.js';
export type * from './core/contracts/AgentSpec.js';
export type * from './core/contracts/Coach.js';
export type * from './core/contracts/DemonstrationSource.js';
export type * from './core/contracts/Environment.js';
export type * from './core/contracts/Logger.js';
export type * from './core/contracts/Policy.js';
export type * from './core/contracts/RunContext.js';
export type * from './core/contracts/Sandbox.js';
export type * from './core/contracts/TaskSource.js';
export type * from './core/contracts/Trainer.js';
export type * from './core/model/Action.js';
export type * from './core/model/Artifact.js';
export type * from './core/model/CoachEvaluation.js';
export type * from './core/model/Demonstration.js';
export type * from './core/model/Episode.js';
export type * from './core/model/Experience.js';
export type * from './core/model/Message.js';
export type * from './core/model/Task.js';
export type * from './core/model/ToolCall.js';
