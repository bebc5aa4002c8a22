import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isTrainablePolicy } from '../../core/contracts/TrainablePolicy.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { MappaError } from '../../core/util/MappaError.js';

/**
 * For the overlap tests (`plugins: [<this file>]`): a trainer that only bumps the policy versions, fails at
 * `failAtStep` and keeps busy for `busyMs` per step (in short synchronous bursts, as tfjs training does).
 */
export const scriptedTrainerPlugin = definePlugin({
  kind: 'trainer',
  name: 'scripted-trainer',
  description: 'bumps policy versions, can fail at a step (tests only)',
  configSchema: z.strictObject({ failAtStep: z.number().int().optional(), busyMs: z.number().default(0) }),
  create: (c) => {
    let steps = 0;
    return {
      name: 'scripted-trainer',
      async step(batches, ctx) {
        if (ctx.step === c.failAtStep) throw new MappaError(`scripted failure at step ${ctx.step}`, { hint: 'the test asked for it' });
        const end = Date.now() + c.busyMs;
        while (Date.now() < end) {
          const burst = Date.now() + 20;
          while (Date.now() < burst) Math.sqrt(Math.random());
          await new Promise((r) => setImmediate(r));
        }
        steps++;
        for (const p of new Set(batches.map((b) => b.policy))) if (isTrainablePolicy(p)) p.markUpdated();
        return Object.fromEntries(batches.map((b) => [b.agentId, { samples: b.experiences.length, off_policy: ctx.offPolicy ? 1 : 0 }]));
      },
      async saveState(dir: string) {
        writeFileSync(join(dir, 'state.json'), JSON.stringify({ steps }));
      },
      async loadState(dir: string) {
        steps = (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { steps: number }).steps;
      },
    };
  },
});
