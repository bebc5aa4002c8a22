// Agents answer with the number of words in the task text; the environment grades the last answer.
import { defineEnvironment, z } from '@mappa/sdk/plugin';

/** What this environment tells coaches about every action (their `input.facts`). */
export const WordCountFacts = z.object({
  /** The number at the end of the action, or null when there is none. */
  answer: z.number().int().nullable(),
  /** The action is nothing but that number. */
  bare: z.boolean(),
});
export type WordCountFacts = z.infer<typeof WordCountFacts>;

export const answerOf = (text: string): number | null => {
  const m = /(\d+)\s*$/.exec(text.trim());
  return m ? Number(m[1]) : null;
};

export const wordCountEnvironment = defineEnvironment({
  name: 'word-count',
  description: 'Answer with the number of words in the task text.',
  config: z.strictObject({ tolerance: z.number().int().min(0).default(0) }),
  facts: WordCountFacts,
  episode: (task, { config }) => {
    const expected = task.prompt.trim().split(/\s+/).length;
    return {
      coachFacts: (_agent, action): WordCountFacts => ({ answer: answerOf(action.text), bare: /^\s*\d+\s*$/.test(action.text) }),
      groundTruth: () => expected,
      evaluate: (turns) => {
        const answer = answerOf([...turns.values()].at(-1)?.output ?? '');
        const error = answer === null ? expected : Math.abs(answer - expected);
        return { success: answer !== null, correct: answer !== null && error <= config.tolerance, metrics: { error } };
      },
    };
  },
});
