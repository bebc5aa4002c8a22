import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentBatch, Trainer } from '../core/contracts/Trainer.js';

export interface TrainerConformanceOptions {
  /** A trainer and batches for its policies. */
  readonly create: () => Promise<{ trainer: Trainer; batches: AgentBatch[] }>;
}

export function describeTrainerConformance(name: string, o: TrainerConformanceOptions): void {
  describe(`Trainer conformance: ${name}`, () => {
    it('returns finite metrics per agent and bumps the policy version', async () => {
      const { trainer, batches } = await o.create();
      const before = batches.map((b) => b.policy.version);
      const metrics = await trainer.step(batches, { step: 1, totalSteps: 2 });
      for (const b of batches) {
        expect(metrics[b.agentId], b.agentId).toBeDefined();
        for (const [k, v] of Object.entries(metrics[b.agentId]!)) expect(Number.isFinite(v), `${b.agentId}.${k}`).toBe(true);
      }
      batches.forEach((b, i) => expect(b.policy.version).toBeGreaterThan(before[i]!));
      await trainer.dispose?.();
    });

    it('accepts an empty batch without changing anything', async () => {
      const { trainer, batches } = await o.create();
      const empty = batches.map((b) => ({ ...b, experiences: [] }));
      const before = empty.map((b) => b.policy.version);
      await trainer.step(empty, { step: 1, totalSteps: 1 });
      empty.forEach((b, i) => expect(b.policy.version).toBe(before[i]));
      await trainer.dispose?.();
    });

    it('saves and loads its state', async () => {
      const { trainer, batches } = await o.create();
      if (!trainer.saveState || !trainer.loadState) return;
      await trainer.step(batches, { step: 1, totalSteps: 2 });
      const dir = await mkdtemp(join(tmpdir(), 'mappa-trainerconf-'));
      try {
        await trainer.saveState(dir);
        await trainer.loadState(dir);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      await trainer.dispose?.();
    });
  });
}
