import { describe, expect, it } from 'vitest';
import { contractProblems } from '../core/plugins/pluginContracts.js';
import type { Policy } from '../core/contracts/Policy.js';
import type { Message } from '../core/model/Message.js';

export interface PolicyConformanceOptions {
  /** Creates a fresh policy; called once per test. */
  readonly create: () => Promise<Policy>;
  /** The policy gives the same output for the same seed and context. */
  readonly deterministic?: boolean;
  /** The policy reports token ids (and log-probs) for its actions. */
  readonly exposesTokens?: boolean;
  readonly messages?: readonly Message[];
}

/** Shared checks every Policy plugin runs (like LangChain's standard tests). */
export function describePolicyConformance(name: string, o: PolicyConformanceOptions): void {
  const messages: readonly Message[] = o.messages ?? [{ role: 'user', content: 'What is 2+3?' }];
  describe(`Policy conformance: ${name}`, () => {
    it('generates text with a finish reason and a version', async () => {
      const p = await o.create();
      expect(contractProblems('policy', p)).toEqual([]);
      const g = await p.generate({ messages, seed: 1, sampling: { maxNewTokens: 8 } });
      expect(typeof g.text).toBe('string');
      expect(['stop', 'length']).toContain(g.finishReason);
      expect(Number.isInteger(g.policyVersion)).toBe(true);
      expect(typeof p.trainable).toBe('boolean');
      expect(typeof p.id).toBe('string');
      await p.dispose?.();
    });

    it('aligns token ids and log-probs', async () => {
      const p = await o.create();
      const g = await p.generate({ messages, seed: 2, sampling: { maxNewTokens: 8 } });
      if (o.exposesTokens) {
        expect(g.tokenIds.length).toBeGreaterThan(0);
        expect(g.contextIds.length).toBeGreaterThan(0);
        expect(g.tokenIds.length).toBeLessThanOrEqual(8);
      }
      if (g.logprobs.length > 0 && g.tokenIds.length > 0) expect(g.logprobs).toHaveLength(g.tokenIds.length);
      for (const lp of g.logprobs) expect(lp).toBeLessThanOrEqual(1e-6);
      await p.dispose?.();
    });

    if (o.deterministic) {
      it('is deterministic under a seed, also when calls run concurrently', async () => {
        const p = await o.create();
        const one = await p.generate({ messages, seed: 5, sampling: { maxNewTokens: 8 } });
        const many = await Promise.all([5, 6, 5].map((seed) => p.generate({ messages, seed, sampling: { maxNewTokens: 8 } })));
        expect(many[0]!.text).toBe(one.text);
        expect(many[2]!.text).toBe(one.text);
        await p.dispose?.();
      });
    }

    it('scores continuations when it offers scoring', async () => {
      const p = await o.create();
      if (!p.score) return;
      const g = await p.generate({ messages, seed: 3, sampling: { maxNewTokens: 4 } });
      if (g.tokenIds.length === 0) return;
      const [row] = await p.score([{ contextIds: g.contextIds, continuationIds: g.tokenIds }]);
      expect(row).toHaveLength(g.tokenIds.length);
      for (const lp of row!) expect(lp).toBeLessThanOrEqual(1e-6);
      await p.dispose?.();
    });
  });
}
