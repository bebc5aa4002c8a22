import { z } from 'zod';
import { pluginRef } from '../../core/plugins/pluginRef.js';
import { DSBENCH_STAGES } from './stages.js';

export const DsbenchEnvironmentConfig = z.strictObject({
  sandbox: pluginRef('sandbox').describe('Sandbox that runs the agents\' Python code (its openWorkspace() is used when available)'),
  helperModule: z.boolean().default(false).describe('Place dsb.py (prep, save, load, fit, submit) in the workspace, for small policies; LLM agents get the plain environment'),
  runTimeout: z.number().positive().default(60).describe('Seconds per code block (the reference used 60 s for DSBench)'),
  memoryLimitMb: z.number().int().positive().optional().describe('Memory limit per code block, passed to the sandbox'),
  maxCodeBlocksPerAction: z.number().int().min(1).default(3).describe('Python blocks run per action; extra blocks are skipped and reported'),
  toolOutputChars: z.number().int().min(200).default(4000).describe('Characters of stdout (half as many of stderr) kept per block in the tool response'),
  copySampleSubmission: z.boolean().default(true).describe('Also copy sample_submission.csv into the workspace'),
  submissionFile: z.string().regex(/^[\w.-]+$/).default('submission.csv'),
  columnMatching: z.enum(['strict', 'lenient']).default('strict').describe("strict: submission needs the id and target columns (DSBench's graders); lenient: row order and second column (reference code)"),
  stages: z.record(z.string(), z.enum(DSBENCH_STAGES)).optional().describe('Agent id → data_engineer | modeler | analyst (default: from the agent id and role)'),
  fetchFiles: z
    .array(z.string())
    .default(['*.pkl', '*.joblib', '*.npy', '*.npz', '*.csv', '*.json', '*.txt'])
    .describe('Files fetched back after each run, for sandboxes without a workspace mode'),
  reportFiles: z.boolean().default(true).describe('Add a "[files written: …]" line to each tool response'),
});
export type DsbenchEnvironmentConfigInput = z.input<typeof DsbenchEnvironmentConfig>;
export type DsbenchEnvironmentSettings = Omit<z.output<typeof DsbenchEnvironmentConfig>, 'sandbox'>;
