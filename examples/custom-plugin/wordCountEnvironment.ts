// A complete environment plugin in under 60 lines: agents must answer with the number of words in the task text.
// Load it from a pipeline file with `plugins: [./wordCountEnvironment.ts]` and `environment: { use: word-count }`.
import { definePlugin, z, type Environment } from '@mappa/sdk/plugin';

const Config = z.strictObject({
  /** Accept answers that are off by at most this many words. */
  tolerance: z.number().int().min(0).default(0),
});

export function createWordCountEnvironment(config: z.input<typeof Config> = {}): Environment {
  const { tolerance } = Config.parse(config);
  return {
    name: 'word-count',
    async createEpisode(task) {
      const expected = task.prompt.trim().split(/\s+/).length;
      const answerOf = (text: string) => Number(/(\d+)\s*$/.exec(text.trim())?.[1] ?? NaN);
      return {
        observe: async () => ({ vars: { words: expected > 0 ? 'some' : 'none' } }),
        // No tools: every agent acts once.
        executeTools: async () => undefined,
        artifacts: async () => [],
        coachContext: async (_agent, action) => ({ answer: answerOf(action.text) }),
        groundTruth: () => expected,
        async evaluate(turns) {
          const final = [...turns.values()].at(-1)?.output ?? '';
          const answer = answerOf(final);
          const ok = Number.isFinite(answer);
          return {
            success: ok,
            correct: ok && Math.abs(answer - expected) <= tolerance,
            metrics: { error: ok ? Math.abs(answer - expected) : expected },
            ...(ok ? { answer: String(answer) } : {}),
          };
        },
        close: async () => {},
      };
    },
  };
}

export const wordCountEnvironmentPlugin = definePlugin({
  kind: 'environment',
  name: 'word-count',
  description: 'Counts the words of the task text (custom-plugin example).',
  configSchema: Config,
  create: (config) => createWordCountEnvironment(config),
});
