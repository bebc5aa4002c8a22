import type { AgentSpec } from '../contracts/AgentSpec.js';
import type { PluginRegistry } from '../plugins/PluginRegistry.js';
import type { PipelineSpec } from './PipelineSpec.js';
import type { PluginRef } from '../plugins/pluginRef.js';

/** A validated pipeline: the parsed spec with defaults, agents in execution order and every path made absolute. */
export interface ResolvedPipeline {
  readonly spec: PipelineSpec;
  /** The pipeline file, when it came from one. */
  readonly file?: string;
  /** Directory that relative paths resolve against. */
  readonly baseDir: string;
  /** Agents in a valid execution order (every agent after the agents it reads). */
  readonly agents: readonly AgentSpec[];
  /** Every policy, including inline ones (named after their agent). */
  readonly policies: Readonly<Record<string, PluginRef>>;
  /** Config path of each policy, for error messages. */
  readonly policyPaths: Readonly<Record<string, string>>;
  readonly registry: PluginRegistry;
}
