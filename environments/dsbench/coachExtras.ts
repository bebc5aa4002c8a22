import type { ExecutionError } from './pythonErrors.js';
import type { DsbenchStage } from './stages.js';
import type { TaskType } from './DsbenchTaskMeta.js';

/**
 * What the dsbench environment gives the coach about one action (`CoachInput.extras`). The `dsbench-rule` coach and
 * the DSBench LLM coach template read these keys; keep them stable.
 */
export interface DsbenchCoachExtras {
  readonly [key: string]: unknown;
  /** Stage of the acting agent, when it is one of the three roles. */
  readonly stage?: DsbenchStage;
  readonly agentName: string;
  /** Every file in the workspace after the action. */
  readonly filesAvailable: string[];
  /** e.g. `Data Engineer saved: X_train.pkl, y_train.pkl / Modeler saved: NO FILES SAVED`. */
  readonly filesFromPreviousAgents: string;
  /** Files this action created or changed. */
  readonly filesWrittenByAction: string[];
  readonly taskType: TaskType;
  /** The Analyst's missing-artifact warning, when one was shown. */
  readonly missingArtifactWarning?: string;
  /** Ground-truth metrics of the latest submission (only when the pipeline lets the coach see ground truth). */
  readonly metrics?: Record<string, number>;
  readonly metricsText?: string;
  /** Python code blocks found in the action, and how many ran. */
  readonly codeBlocks: number;
  readonly blocksRun: number;
  /** Every block that ran finished without an error. */
  readonly codeRan: boolean;
  /** The first failure among the blocks (e.g. FileNotFoundError of X_test.pkl). */
  readonly executionError?: ExecutionError;
  /** Upstream agents' final outputs with `<think>` stripped. */
  readonly previousOutputs: string;
  /** The agent has no action left in its turn after this one (`maxActions` reached): unfinished work stays unfinished. */
  readonly lastAction?: boolean;
  /** Whether the submission file is currently valid (only once one exists). */
  readonly submissionValid?: boolean;
}
