/** Whether a DSBench modeling task predicts classes or numbers. */
export type TaskType = 'classification' | 'regression';

/** Public facts about a DSBench modeling task, stored in `Task.metadata` (agents may see them). */
export interface DsbenchTaskMetadata {
  readonly [key: string]: unknown;
  /** Competition name, e.g. `titanic` (also the folder name in the DSBench layout). */
  readonly name: string;
  readonly taskType: TaskType;
  /** Same as `taskType`; the reference code calls it `data_type`. */
  readonly dataType: TaskType;
  /** How `taskType` was decided: the task's metric, a curated task type, detection from the answers, or the list. */
  readonly dataTypeSource: 'metric' | 'curated' | 'detected' | 'list';
  /** The `data_type` written in the task list, when it disagrees with `taskType` (the reference lists mislabel string multiclass targets). */
  readonly listedDataType?: string;
  /** Official metric, normalised (`accuracy`, `f1`, `roc_auc`, `rmse`, `rmsle`, …), or `unknown`. */
  readonly metric: string;
  readonly higherIsBetter?: boolean;
  /** Target column(s) of the submission. */
  readonly target: string | readonly string[];
  readonly idColumn: string;
  /** Score of DSBench's simple baseline, for the relative performance gap. */
  readonly baselineScore?: number;
  /** Score of the ground-truth solution, for the relative performance gap. */
  readonly gtScore?: number;
  readonly url?: string;
}

/**
 * Where a task's files live on the host. Stored in `Task.groundTruth`, which the runner never shows to agents; the
 * answer file is read only by the grader on the host and is never copied into a workspace.
 */
export interface DsbenchTaskFiles {
  readonly kind: 'dsbench';
  readonly trainFile: string;
  readonly testFile: string;
  readonly sampleSubmissionFile?: string;
  readonly answerFile: string;
}

export function isDsbenchTaskFiles(value: unknown): value is DsbenchTaskFiles {
  const v = value as Partial<DsbenchTaskFiles> | undefined;
  return !!v && v.kind === 'dsbench' && typeof v.trainFile === 'string' && typeof v.testFile === 'string' && typeof v.answerFile === 'string';
}

/** Target columns as a list. */
export function targetColumns(target: string | readonly string[]): string[] {
  return typeof target === 'string' ? [target] : [...target];
}
