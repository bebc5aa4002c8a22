// The code-sandbox environment's contract with coaches: the facts it puts in every coach input's `extras`.
// Coaches import this module only, never the environment's other files (test/layering.test.ts checks it).
import { z } from 'zod';

export const CodeSandboxCoachFactsSchema = z.strictObject({
  /** Each code block this action ran: its language, how it ended and its exit code (null when it did not exit). */
  codeRuns: z.array(z.strictObject({ language: z.string(), status: z.string(), exitCode: z.number().int().nullable() })),
  /** Files this action created or changed. */
  filesWrittenByAction: z.array(z.string()),
  /** Every file in the episode's workspace after the action, with its size and who wrote it last. */
  workspaceFiles: z.array(z.strictObject({ path: z.string(), bytes: z.number(), writtenBy: z.string() })),
  /** Files written by other agents earlier in the episode (not by this agent, not task files). */
  filesFromEarlierAgents: z.array(z.string()),
});
export type CodeSandboxCoachFacts = z.output<typeof CodeSandboxCoachFactsSchema>;
