import type { CoachInput } from '../../core/contracts/Coach.js';
import type { ActionRecord } from '../../core/model/Action.js';
import { extractCodeBlocks, parseDsbenchCoachFacts, targetColumns, type TaskType, type ExecutionError, stageOf, type DsbenchStage } from '../../environments/dsbench/coachFacts.js';
import { MappaError } from '../../core/util/MappaError.js';

/** Everything the rule coach looks at for one action, taken from the environment's coach context. */
export interface DsbenchEvidence {
  readonly stage: DsbenchStage | undefined;
  readonly agentId: string;
  readonly turnIndex: number;
  /** No action is left in the agent's turn after this one. */
  readonly lastAction: boolean;
  readonly truncated: boolean;
  readonly codeBlocks: number;
  readonly codeRan: boolean;
  readonly executionError?: ExecutionError;
  readonly filesAvailable: readonly string[];
  readonly filesWrittenByAction: readonly string[];
  /** Files this agent wrote in its turn so far, this action included. */
  readonly filesWrittenByAgent: readonly string[];
  /** Code of this action. */
  readonly code: string;
  /** Code of this agent's turn so far, this action included. */
  readonly turnCode: string;
  readonly actionText: string;
  readonly toolOutput: string;
  readonly taskType: TaskType;
  readonly targets: readonly string[];
  /** The task's official metric (`Task.metadata.metric`), when known. */
  readonly metric?: string;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly submissionValid?: boolean;
  readonly missingArtifactWarning?: string;
  readonly submissionWritten: boolean;
  /** Agent ids by stage, from the earlier actions (to name a culprit). */
  readonly agentsByStage: Readonly<Partial<Record<DsbenchStage, string>>>;
}

function codeOf(a: ActionRecord): string {
  const fromCalls = a.toolCalls.filter((c) => c.tool === 'python' || c.language === 'python').map((c) => c.input);
  return (fromCalls.length ? fromCalls : extractCodeBlocks(a.text).map((b) => b.code)).join('\n');
}

/**
 * Builds the evidence; throws when the input does not come from the dsbench environment, or when its facts are
 * malformed (naming the field). The runtime turns either into a flagged fallback.
 */
export function dsbenchEvidence(input: CoachInput, stages?: Readonly<Record<string, DsbenchStage>>): DsbenchEvidence {
  if (!('filesAvailable' in input.extras) && !('taskType' in input.extras)) {
    throw new MappaError('dsbench-rule coach: the action has no DSBench evidence (extras.filesAvailable / extras.taskType missing)', {
      hint: 'use the dsbench-rule coach with the dsbench environment',
    });
  }
  // Parsed once, here: everything below reads typed facts.
  const x = parseDsbenchCoachFacts(input.extras, 'dsbench-rule coach');
  const a = input.actionRecord;
  const own = [...input.previousActions.filter((p) => p.agentId === a.agentId), a];
  const agentsByStage: Partial<Record<DsbenchStage, string>> = {};
  for (const p of input.previousActions) {
    const s = stageOf({ id: p.agentId, role: p.role }, stages);
    if (s && !agentsByStage[s]) agentsByStage[s] = p.agentId;
  }
  const stage = x.stage ?? stageOf({ id: input.agent.id, role: input.agent.role }, stages);
  const meta = input.task.metadata as { target?: string | string[]; metric?: unknown };
  const actionExtras = a.extras as { submissionWritten?: boolean };
  return {
    stage,
    agentId: a.agentId,
    turnIndex: a.turnIndex,
    lastAction: x.lastAction === true,
    truncated: a.finishReason === 'length',
    codeBlocks: x.codeBlocks,
    codeRan: x.codeRan,
    ...(x.executionError
      ? {
          executionError: {
            kind: x.executionError.kind,
            message: x.executionError.message,
            ...(x.executionError.file !== undefined ? { file: x.executionError.file } : {}),
          },
        }
      : {}),
    filesAvailable: x.filesAvailable,
    filesWrittenByAction: x.filesWrittenByAction,
    filesWrittenByAgent: [...new Set(own.flatMap((p) => p.filesWritten.map((f) => f.path)))],
    code: codeOf(a),
    turnCode: own.map(codeOf).join('\n'),
    actionText: a.text,
    toolOutput: a.toolOutput,
    taskType: x.taskType,
    targets: meta.target !== undefined ? targetColumns(meta.target) : [],
    ...(typeof meta.metric === 'string' ? { metric: meta.metric } : {}),
    ...(x.metrics ? { metrics: x.metrics } : {}),
    ...(x.submissionValid !== undefined ? { submissionValid: x.submissionValid } : {}),
    ...(x.missingArtifactWarning ? { missingArtifactWarning: x.missingArtifactWarning } : {}),
    submissionWritten: actionExtras.submissionWritten === true,
    agentsByStage,
  };
}
