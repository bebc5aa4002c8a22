import type { Demonstration } from '../model/Demonstration.js';
import type { ResolvedPipeline } from '../pipeline/ResolvedPipeline.js';

export interface DemonstrationRequest {
  /** The validated pipeline (agents, prompt files, task and environment configs), so prompts match training exactly. */
  readonly pipeline: ResolvedPipeline;
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
