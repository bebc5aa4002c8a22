import type { SamplingParams } from './Policy.js';

/** An agent as declared in a pipeline: a role played by a policy with a prompt template and tools. */
export interface AgentSpec {
  readonly id: string;
  /** Human-readable role shown to the coach, e.g. `Code Executor`. */
  readonly role: string;
  /** Name of the policy (in the pipeline's `policies` map) that generates this agent's actions. */
  readonly policyId: string;
  /** Absolute path of the prompt template file. */
  readonly promptFile: string;
  /** Tool names the agent may use (the environment decides how to run them). */
  readonly tools: readonly string[];
  /**
   * Function tools (`tool` plugins) offered to the policy, each with its config path; the runner executes their
   * calls. Absent or empty: the agent acts through the environment only.
   */
  readonly toolRefs?: ReadonlyArray<{ readonly ref: { readonly use: string; readonly [key: string]: unknown }; readonly path: string }>;
  /** Maximum number of actions in one turn. */
  readonly maxActions: number;
  /** Ids of the agents whose outputs this agent reads. */
  readonly reads: readonly string[];
  readonly sampling: SamplingParams;
  /** Whether the coach may see ground truth when scoring this agent. */
  readonly coachSeesGroundTruth: boolean;
  /** Whether this agent's actions become training samples. */
  readonly train: boolean;
}
