// A task source: sentences of random words, the same for the same seed and config.
import { defineTaskSource, Rng, z } from '@mappa/sdk/plugin';

const WORDS = ['red', 'fox', 'jumps', 'over', 'the', 'lazy', 'dog', 'and', 'runs', 'home'];

export const sentenceTasks = defineTaskSource({
  name: 'sentences',
  description: 'Random sentences of 1–maxWords words; `test` gets every fifth.',
  config: z.strictObject({
    count: z.number().int().min(1).default(20),
    maxWords: z.number().int().min(1).default(8),
    seed: z.number().int().default(0),
  }),
  tasks: (config) => {
    const rng = Rng.fromSeed(config.seed);
    return Array.from({ length: config.count }, (_, i) => {
      const words = Array.from({ length: rng.int(1, config.maxWords) }, () => rng.pick(WORDS));
      return { id: `s${i}`, split: i % 5 === 4 ? 'test' : 'train', prompt: words.join(' '), groundTruth: words.length };
    });
  },
});
