import type { Demonstration } from '../model/Demonstration.js';
import type { AgentSpec } from './AgentSpec.js';

/** A `{ use, ...config }` plugin reference as written in the pipeline file. */
export interface DemonstrationPluginRef {
  readonly use: string;
  readonly [field: string]: unknown;
}

/**
 * The parts of the validated pipeline a demonstration source reads (a `ResolvedPipeline` fits), so prompts and tasks
 * match training exactly. Narrower than the whole pipeline on purpose: contracts do not depend on the pipeline layer.
 */
export interface DemonstrationPipeline {
  readonly spec: {
    readonly seed: number;
    readonly tasks: DemonstrationPluginRef;
    readonly environment: DemonstrationPluginRef;
    /** The split training tasks come from (default `train`). */
    readonly run?: { readonly trainSplit?: string };
  };
  /** Directory relative paths in the configs resolve against. */
  readonly baseDir: string;
  /** Agents in execution order, with absolute prompt files. */
  readonly agents: readonly AgentSpec[];
}

export interface DemonstrationRequest {
  readonly pipeline: DemonstrationPipeline;
  readonly seed: number;
}

/** Makes supervised demonstrations for warm-starting agents before RL (the pipeline's `warmStart.demonstrations`). */
export interface DemonstrationSource {
  readonly name: string;
  demonstrations(request: DemonstrationRequest): Promise<{
    readonly demonstrations: readonly Demonstration[];
    /** Counts worth logging (e.g. mistakes put in on purpose, per agent). */
    readonly stats?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  }>;
}
