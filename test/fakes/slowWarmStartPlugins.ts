import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { fakePlugins } from './testPlugins.js';

/**
 * Plugins for the warm-start crash test (`plugins: [<this file>]`): the fake policy, environment and coach, plus a
 * warm-start trainer that works for `seconds` (in short synchronous bursts, as tfjs training does) and appends its
 * pid to `pidFile` first, so the test can find the child process doing the warm start.
 */
const fakes = fakePlugins();
export const plugins = [
  ...fakes.defs,
  definePlugin({
    kind: 'trainer',
    name: 'slow-warm-trainer',
    description: 'busy for a while, for crash tests',
    configSchema: z.strictObject({ seconds: z.number().default(30), pidFile: z.string() }),
    create: (c) => ({
      name: 'slow-warm-trainer',
      async step() {
        appendFileSync(c.pidFile, `${process.pid}\n`);
        const end = Date.now() + c.seconds * 1000;
        while (Date.now() < end) {
          const burst = Date.now() + 50;
          while (Date.now() < burst) Math.sqrt(Math.random());
          await new Promise((r) => setImmediate(r));
        }
        return {};
      },
    }),
  }),
];
