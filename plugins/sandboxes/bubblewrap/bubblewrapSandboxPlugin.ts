import { z } from 'zod';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { hostSandboxFields } from '../shared/hostSandboxConfig.js';

export const BubblewrapSandboxConfig = z.strictObject({
  ...hostSandboxFields,
  bwrapPath: z.string().optional().describe('Path of the bwrap executable (default: found on PATH; apt package bubblewrap)'),
  uid: z.number().int().min(1).default(65534).describe('Unprivileged host uid the code runs as when mappa runs as root'),
  gid: z.number().int().min(1).default(65534).describe('Unprivileged host gid the code runs as when mappa runs as root'),
  tmpSizeMb: z.number().positive().default(128).describe('Size of the private /tmp (a tmpfs, so it uses RAM)'),
  readOnlyPaths: z.array(z.string().startsWith('/')).default([]).describe('Extra host paths mounted read-only at the same place (e.g. a virtualenv)'),
});
export type BubblewrapSandboxOptions = z.input<typeof BubblewrapSandboxConfig>;

export const bubblewrapSandboxPlugin = definePlugin({
  kind: 'sandbox',
  name: 'bubblewrap',
  description:
    'Default sandbox: bwrap with no network, read-only system dirs, a private /tmp and the workspace, as an unprivileged uid, with prlimit limits and a wall-clock kill of the whole process tree.',
  configSchema: BubblewrapSandboxConfig,
  create: async (config, deps) => {
    const { createBubblewrapSandbox } = await import('./createBubblewrapSandbox.js');
    return createBubblewrapSandbox(config, deps.logger);
  },
});
