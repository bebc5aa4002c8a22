import { z } from 'zod';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { hostSandboxFields } from '../shared/hostSandboxConfig.js';

export const LocalUnsafeSandboxConfig = z.strictObject({
  ...hostSandboxFields,
  isolation: z
    .literal('none', { error: 'local-unsafe runs code without any isolation; set isolation: none to confirm, or use the bubblewrap sandbox' })
    .describe('Must be `none`: confirms that code runs unsandboxed on this machine'),
});
export type LocalUnsafeSandboxOptions = z.input<typeof LocalUnsafeSandboxConfig>;

export const localUnsafeSandboxPlugin = definePlugin({
  kind: 'sandbox',
  name: 'local-unsafe',
  description:
    'Runs code directly on the host with prlimit limits and a wall-clock kill but NO isolation (files, network, processes). Only for trusted code; needs isolation: none and warns on every run.',
  configSchema: LocalUnsafeSandboxConfig,
  create: async (config, deps) => {
    const { createLocalUnsafeSandbox } = await import('./LocalUnsafeSandbox.js');
    return createLocalUnsafeSandbox(config, deps.logger);
  },
});
