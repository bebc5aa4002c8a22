// A rule coach: scores the form of an answer from the word-count environment's typed facts (never the text itself).
import { defineCoach, z } from '@mappa/sdk/plugin';
import { WordCountFacts } from './wordCountEnvironment.js';

export const answerFormatCoach = defineCoach({
  name: 'answer-format',
  description: 'Scores 10 for a bare number, less for a number inside prose, 0 for no number.',
  config: z.strictObject({ proseScore: z.number().min(0).max(10).default(6) }),
  facts: WordCountFacts,
  score: ({ facts, groundTruth }, config) => {
    if (facts.answer === null) return { score: 0, rationale: 'no number at the end of the answer' };
    // The pipeline shows ground truth to the final agent's coach only; use it when it is there.
    const right = groundTruth === undefined || facts.answer === groundTruth;
    const base = facts.bare ? 10 : config.proseScore;
    return {
      score: right ? base : base / 2,
      rationale: `${facts.bare ? 'bare number' : 'number inside prose'}${right ? '' : ', wrong count'}`,
      ...(groundTruth === undefined ? {} : { outcome: { name: 'ANSWER_CORRECT', value: right ? 1 : 0 } }),
    };
  },
});
