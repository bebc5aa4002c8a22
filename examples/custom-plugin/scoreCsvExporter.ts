// A complete exporter plugin: one CSV line per exported action with its coach score and reward.
// Use it with `mappa export RUN_DIR --plugin ./scoreCsvExporter.ts --format score-csv --out DIR`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { definePlugin, type Exporter } from '@mappa/sdk';

const Config = z.strictObject({
  /** Column separator. */
  separator: z.string().length(1).default(','),
});

export function createScoreCsvExporter(config: z.input<typeof Config> = {}): Exporter {
  const { separator } = Config.parse(config);
  return {
    name: 'score-csv',
    async export(batches, ctx) {
      const lines = [['step', 'episode_id', 'agent_id', 'turn_index', 'score', 'reward'].join(separator)];
      for await (const batch of batches) {
        for (const { record: r } of batch.samples) lines.push([r.step, r.episode_id, r.agent_id, r.turn_index, r.score ?? '', r.reward].join(separator));
      }
      const path = join(ctx.outDir, 'scores.csv');
      await writeFile(path, lines.join('\n') + '\n');
      return { files: [{ path, rows: lines.length - 1 }], notes: [] };
    },
  };
}

export const scoreCsvExporterPlugin = definePlugin({
  kind: 'exporter',
  name: 'score-csv',
  description: 'One CSV line per action: step, episode, agent, turn, coach score, reward.',
  configSchema: Config,
  create: (config) => createScoreCsvExporter(config),
});
