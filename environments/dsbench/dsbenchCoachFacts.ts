import { z } from 'zod';
import { MappaError } from '../../core/util/MappaError.js';
import { DSBENCH_STAGES } from './stages.js';

/** A metric value; NaN is allowed (a metric undefined for this submission, e.g. F1 with one class). */
const metricValue = z.union([z.number(), z.nan()]);

/**
 * What the dsbench environment gives the coach about one action (`CoachInput.extras`), as a schema. Strict: a key
 * not listed here is an error, so a typo in an environment or an action file shows up instead of being ignored.
 * The `dsbench-rule` coach parses every input with it; the DSBench LLM coach template reads the same keys.
 */
export const DsbenchCoachFactsSchema = z.strictObject({
  stage: z.enum(DSBENCH_STAGES).optional().describe('Stage of the acting agent, when it is one of the three roles'),
  agentName: z.string().describe('Id of the acting agent'),
  filesAvailable: z.array(z.string()).describe('Every file in the workspace after the action'),
  filesFromPreviousAgents: z.string().describe('e.g. `Data Engineer saved: X_train.pkl, y_train.pkl / Modeler saved: NO FILES SAVED`'),
  filesWrittenByAction: z.array(z.string()).describe('Files this action created or changed'),
  taskType: z.enum(['classification', 'regression']),
  missingArtifactWarning: z.string().optional().describe("The Analyst's missing-artifact warning, when one was shown"),
  metrics: z.record(z.string(), metricValue).optional().describe('Ground-truth metrics of the latest submission (only when the coach may see ground truth)'),
  metricsText: z.string().optional().describe('The same metrics as text for prompts, or a note that there are no predictions yet'),
  codeBlocks: z.number().int().min(0).describe('Python code blocks found in the action'),
  blocksRun: z.number().int().min(0).describe('How many of them ran'),
  codeRan: z.boolean().describe('Every block that ran finished without an error'),
  executionError: z
    .strictObject({ kind: z.string(), message: z.string(), file: z.string().optional() })
    .optional()
    .describe('The first failure among the blocks (exception class, message, and for file errors the file name)'),
  previousOutputs: z.string().describe("Upstream agents' final outputs with <think> stripped"),
  lastAction: z.boolean().optional().describe("The agent has no action left in its turn after this one (maxActions reached)"),
  submissionValid: z.boolean().optional().describe('Whether the submission file is currently valid (only once one exists)'),
});

/** The facts as the environment builds them and coaches read them. */
export type DsbenchCoachFacts = z.output<typeof DsbenchCoachFactsSchema>;

/**
 * Checks an input's `extras` against `DsbenchCoachFactsSchema` once, where a coach reads them. A mismatch is a
 * `MappaError` naming every bad field (`extras.taskType: …`), so a broken environment or action file is found at
 * the first action instead of producing quietly wrong scores.
 */
export function parseDsbenchCoachFacts(extras: unknown, who: string): DsbenchCoachFacts {
  const parsed = DsbenchCoachFactsSchema.safeParse(extras);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${['extras', ...i.path.map(String)].join('.')}: ${i.message}`);
  throw new MappaError(`${who}: malformed DSBench coach facts: ${problems.join('; ')}`, {
    hint: 'the dsbench environment must give these facts (environments/dsbench/coachFacts.ts, docs/dsbench.md "Coach facts"); fix the environment or the action file that supplied them',
  });
}
