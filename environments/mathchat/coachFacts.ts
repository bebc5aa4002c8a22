// The mathchat environment's contract with coaches: the facts it puts in every coach input's `extras`
// (`MathChatFacts`, also as a zod schema for `defineCoach({ facts })`), and the answer arithmetic that environment
// grading and coaches must share so they agree on what "the same answer" is. Coaches import this module only,
// never the environment's other files (test/layering.test.ts checks it).
import { z } from 'zod';
import type { MathChatFacts } from './mathchatFacts.js';

export type { MathChatFacts } from './mathchatFacts.js';
/** Collects the same facts from action records (coaches scoring episodes another environment ran, `coach eval`). */
export { collectMathChatFacts } from './mathchatFacts.js';
export { inferMathChatRole, type MathChatRole, type RoleHints } from './mathchatRoles.js';
export { answersEquivalent } from './answers/answersEquivalent.js';
export { numberLiterals } from './answers/numbersInText.js';
export { evaluateRational } from './answers/evaluateRational.js';
export { parseMathExpression } from './answers/parseMathExpression.js';

const text = z.string().optional();
/** `MathChatFacts` as a schema (strict: a key the interface does not have is an error). */
export const MathChatFactsSchema = z.strictObject({
  answer: text,
  statedAnswer: text,
  statedExpression: text,
  codeBlocks: z.array(z.string()),
  toolOutputs: z.array(z.string()),
  codeRan: z.boolean(),
  codeErrors: z.number().int(),
  sandboxErrors: z.number().int(),
  printed: text,
  draftAnswer: text,
  draftExpression: text,
  upstreamToolResult: text,
  upstreamPrinted: text,
  upstreamCodeErrors: z.number().int().optional(),
  coderStated: text,
});

// Compile-time check that the schema and the interface have the same keys (test/mathchat checks the values).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<keyof z.output<typeof MathChatFactsSchema>, keyof MathChatFacts> = true;
void schemaMatchesInterface;
