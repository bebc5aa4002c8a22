import type { z } from 'zod';
import type { Environment } from '../../core/contracts/Environment.js';
import type { Sandbox } from '../../core/contracts/Sandbox.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { DsbenchEnvironmentConfig } from './DsbenchEnvironmentConfig.js';

export type DsbenchEnvironmentOptions = Omit<z.input<typeof DsbenchEnvironmentConfig>, 'sandbox'> & { readonly sandbox: Sandbox };

/** Plain factory (no DI): `createDsbenchEnvironment({ sandbox, helperModule: true })`. */
export async function createDsbenchEnvironment(options: DsbenchEnvironmentOptions): Promise<Environment> {
  const { sandbox, ...rest } = options;
  const settings = DsbenchEnvironmentConfig.omit({ sandbox: true }).parse(rest);
  const { DsbenchEnvironment } = await import('./DsbenchEnvironment.js');
  return new DsbenchEnvironment({ ...settings, sandbox });
}

export const dsbenchEnvironmentPlugin = definePlugin({
  kind: 'environment',
  name: 'dsbench',
  capabilities: { environmentTools: () => ['python'] },
  description: 'DSBench data-science pipeline: sandbox workspace with the task CSVs, file hand-off with attribution, hidden-answer grading (metrics, RPG, fair metrics).',
  configSchema: DsbenchEnvironmentConfig,
  create: async (config, deps) => {
    const { sandbox: ref, ...settings } = config;
    const sandbox = await deps.plugins.create('sandbox', ref, `${deps.path}.sandbox`);
    const { DsbenchEnvironment } = await import('./DsbenchEnvironment.js');
    return new DsbenchEnvironment({ ...settings, sandbox });
  },
});
