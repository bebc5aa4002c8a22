import { evaluateRational, parseMathExpression } from '../../environments/mathchat/coachFacts.js';

/**
 * The value of a problem that is a plain arithmetic question (`What is 37+45?`, `Compute 3/4-1/2.`), the way an LLM
 * coach would work it out itself; undefined for anything else (word problems, competition problems).
 */
export function problemValue(problem: string): string | undefined {
  const m = /^\s*(?:what\s+is|compute|calculate|evaluate|find)?\s*:?\s*([-+*/^().\d\s]+?)\s*[?.=]?\s*$/i.exec(problem);
  const expr = m?.[1];
  if (!expr || !/\d\s*[-+*/^]\s*[\d(]/.test(expr)) return undefined;
  try {
    return evaluateRational(parseMathExpression(expr, 'math')).toString();
  } catch {
    return undefined;
  }
}
