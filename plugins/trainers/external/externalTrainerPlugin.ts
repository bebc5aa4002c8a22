import type { z } from 'zod';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { Trainer } from '../../../core/contracts/Trainer.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { ExternalTrainerConfig, resolvedSettings } from './externalTrainerConfig.js';

/**
 * The external trainer without DI: `createExternalTrainer({ command: 'python3 train.py --meta {meta} …' }, { runDir })`.
 * `runDir` holds the batches, new weights and trainer state; commands run in `cwd` (default: the current directory).
 */
export async function createExternalTrainer(
  options: z.input<typeof ExternalTrainerConfig>,
  extras: { runDir: string; cwd?: string; runName?: string; seed?: number; logger?: Logger; fetch?: typeof globalThis.fetch },
): Promise<Trainer> {
  const config = ExternalTrainerConfig.parse(options);
  const { ExternalTrainer } = await import('./ExternalTrainer.js');
  const settings = resolvedSettings(config);
  return new ExternalTrainer({
    command: config.command,
    endpoint: config.endpoint,
    timeoutS: config.timeoutS,
    settings: { ...settings, seed: settings['seed'] ?? extras.seed ?? deriveSeed(0, 'trainer', 'external') },
    reloadCommand: config.reloadCommand,
    reloadTimeoutS: config.reloadTimeoutS,
    concurrency: config.concurrency,
    runDir: extras.runDir,
    cwd: extras.cwd ?? process.cwd(),
    runName: extras.runName,
    logger: extras.logger,
    fetch: extras.fetch,
  });
}

export const externalTrainerPlugin = definePlugin({
  kind: 'trainer',
  name: 'external',
  description:
    'Trains served policies with a trainer outside this process (PyTorch, TRL, OpenRLHF, verl): each step writes a mappa-rl batch, runs the trainer, and has the server load the new weights (vLLM load_lora_adapter, mappa serve, or a reload command).',
  configSchema: ExternalTrainerConfig,
  capabilities: { requiresExternallyTrainablePolicy: true },
  create: (config, deps) =>
    createExternalTrainer(config, {
      runDir: deps.run.runDir,
      cwd: deps.run.baseDir,
      runName: deps.run.runDir.split(/[\\/]/).at(-1) ?? '',
      seed: deriveSeed(deps.run.seed, 'trainer', 'external'),
      logger: deps.logger,
    }),
});
