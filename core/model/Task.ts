/** One unit of work for the agent system, e.g. a math problem or a data-science competition. */
export interface Task {
  readonly id: string;
  /** Which split the task belongs to (`train`, `test`, …). */
  readonly split: string;
  /** The task statement shown to agents (through their prompt templates). */
  readonly prompt: string;
  /** Hidden answer or grading material. Never shown to agents; coaches see it only where the pipeline allows. */
  readonly groundTruth?: unknown;
  /** Free-form facts about the task, e.g. `{ taskType: 'classification', difficulty: 2 }`. */
  readonly metadata: Readonly<Record<string, unknown>>;
}
