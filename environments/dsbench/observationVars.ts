import type { DsbenchTaskMetadata } from './DsbenchTaskMeta.js';
import { targetColumns } from './DsbenchTaskMeta.js';
import { DSB_HELPER_DOC } from './helperModule.js';
import { missingArtifactWarning, type DsbenchStage } from './stages.js';

export interface WorkspaceFile {
  readonly path: string;
  readonly bytes?: number;
  /** Agent id, or `environment` for task files. */
  readonly writtenBy: string;
}

export interface ObservationInput {
  readonly meta: DsbenchTaskMetadata;
  readonly files: readonly WorkspaceFile[];
  readonly stage: DsbenchStage | undefined;
  /** Upstream agents' hand-off texts (think blocks already stripped). */
  readonly previous: ReadonlyArray<{ readonly agentId: string; readonly role: string; readonly output: string }>;
  readonly submissionFile: string;
  readonly helper: boolean;
}

const size = (bytes: number | undefined) => (bytes === undefined ? '' : bytes < 1024 ? `${bytes} B, ` : `${(bytes / 1024).toFixed(1)} KB, `);

/**
 * Prompt-template variables of a DSBench agent: the workspace file list (with the Analyst's missing-artifact warning
 * appended, as in the reference pipeline), upstream hand-offs, task facts and the helper module's summary.
 */
export function observationVars(o: ObservationInput): { vars: Record<string, unknown>; warning: string | undefined } {
  const names = o.files.map((f) => f.path);
  const warning = o.stage === 'analyst' ? missingArtifactWarning(names, o.submissionFile) : undefined;
  const filesList =
    o.files.map((f) => `  - ${f.path} (${size(f.bytes)}${f.writtenBy === 'environment' ? 'task file' : `saved by ${f.writtenBy}`})`).join('\n') || '  (no files)';
  const targets = targetColumns(o.meta.target);
  return {
    warning,
    vars: {
      stage: o.stage ?? '',
      files: names,
      filesList: warning ? `${filesList}\n\n${warning}` : filesList,
      missingArtifactWarning: warning ?? '',
      previousOutputs: o.previous,
      upstreamOutputs: Object.fromEntries(o.previous.map((p) => [p.agentId, p.output])),
      taskType: o.meta.taskType,
      metric: o.meta.metric,
      target: targets.join(','),
      targetColumns: targets,
      idColumn: o.meta.idColumn,
      submissionFile: o.submissionFile,
      helper: o.helper,
      helperDoc: o.helper ? DSB_HELPER_DOC : '',
    },
  };
}
