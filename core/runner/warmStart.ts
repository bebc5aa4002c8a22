import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../contracts/Logger.js';
import type { Policy } from '../contracts/Policy.js';
import type { RunContext } from '../contracts/RunContext.js';
import type { Experience } from '../model/Experience.js';
import type { ResolvedPipeline } from '../pipeline/ResolvedPipeline.js';
import type { PluginFactory } from '../plugins/PluginFactory.js';
import { atomicWriteDir } from '../util/atomicWrite.js';
import { MappaError } from '../util/MappaError.js';
import type { ProgressReporter } from './ProgressReporter.js';

export interface WarmStartResult {
  /** Figures per policy: demonstrations, cache hit, trainer metrics. */
  readonly metrics: Record<string, number>;
}

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);

/**
 * Supervised warm start before the first rollout: the pipeline's demonstration source writes examples, each trained
 * agent's policy encodes its own examples (exact token ids, no text round trip), and the warm-start trainer (SFT by
 * default) fits them. Weights are cached in `run.cacheDir/warm-start/<key>/`, keyed by the policy config, the encoded
 * demonstrations and the trainer config, so an identical second run skips the training.
 */
export async function warmStart(o: {
  pipeline: ResolvedPipeline;
  policies: ReadonlyMap<string, Policy>;
  plugins: PluginFactory;
  run: RunContext;
  logger: Logger;
  progress: ProgressReporter;
}): Promise<WarmStartResult> {
  const spec = o.pipeline.spec.warmStart;
  const metrics: Record<string, number> = {};
  if (!spec) return { metrics };
  const t0 = performance.now();
  const source = await o.plugins.create('demonstrations', spec.demonstrations, 'warmStart.demonstrations');
  const { demonstrations, stats } = await source.demonstrations({ pipeline: o.pipeline, seed: o.run.seed });
  for (const [agent, counts] of Object.entries(stats ?? {})) for (const [k, v] of Object.entries(counts)) metrics[`warmstart/demos/${agent}/${k}`] = v;

  // Group by policy: agents sharing a policy are warm-started together.
  const byPolicy = new Map<string, Array<{ agentId: string; contextIds: number[]; actionIds: number[] }>>();
  const agentsById = new Map(o.pipeline.agents.map((a) => [a.id, a]));
  for (const d of demonstrations) {
    const agent = agentsById.get(d.agentId);
    if (!agent) throw new MappaError(`demonstration for unknown agent "${d.agentId}"`, { hint: `agents: ${[...agentsById.keys()].join(', ')}` });
    if (!agent.train) continue;
    const policy = o.policies.get(agent.policyId)!;
    if (!policy.encodeDemonstration) {
      throw new MappaError(`policy "${agent.policyId}" cannot encode demonstrations for a warm start`, { hint: 'warm starts need a trainable local policy such as tfjs-transformer' });
    }
    const encoded = await policy.encodeDemonstration(d.messages, d.response);
    const list = byPolicy.get(agent.policyId) ?? [];
    list.push({ agentId: d.agentId, ...encoded });
    byPolicy.set(agent.policyId, list);
  }
  if (byPolicy.size === 0) {
    o.logger.warn('warm start: the demonstration source produced nothing for the trained agents');
    return { metrics };
  }

  const trainer = await o.plugins.create('trainer', spec.trainer, 'warmStart.trainer');
  try {
    for (const [policyId, examples] of byPolicy) {
      const policy = o.policies.get(policyId)!;
      const key = hash({
        policy: o.pipeline.policies[policyId],
        trainer: spec.trainer,
        seed: o.run.seed,
        examples: hash(examples),
      });
      const dir = join(o.run.cacheDir, 'warm-start', key, policyId);
      metrics[`warmstart/${policyId}/demonstrations`] = examples.length;
      if (spec.cache && existsSync(join(dir, 'done.json')) && policy.load) {
        await policy.load(dir);
        metrics[`warmstart/${policyId}/cache_hit`] = 1;
        o.logger.info(`warm start: ${policyId} loaded from cache (${dir})`);
        continue;
      }
      metrics[`warmstart/${policyId}/cache_hit`] = 0;
      const experiences: Experience[] = examples.map((e, i) => ({
        agentId: e.agentId,
        policyId,
        episodeId: `warm-start-${i}`,
        taskId: `warm-start-${i}`,
        groupId: `warm-start-${i}`,
        turnIndex: 0,
        contextIds: e.contextIds,
        actionIds: e.actionIds,
        rolloutLogprobs: [],
        reward: 1,
        score: 10,
        truncated: false,
        policyVersion: policy.version,
        taskMetadata: {},
      }));
      const label = `warm start ${policyId}`;
      o.progress.start(label, label, 1);
      const tp = performance.now();
      const result = await trainer.step([{ agentId: policyId, policy, experiences }], {
        step: 0,
        totalSteps: 1,
        signal: o.run.signal,
        onProgress: (done, total) => {
          o.progress.start(label, label, total);
          o.progress.update(label, done);
        },
      });
      o.progress.stop(label);
      for (const ms of Object.values(result)) for (const [k, v] of Object.entries(ms)) metrics[`warmstart/${policyId}/${k}`] = v;
      metrics[`warmstart/${policyId}/seconds`] = (performance.now() - tp) / 1000;
      o.logger.info(`warm start: ${policyId} trained on ${examples.length} demonstrations in ${((performance.now() - tp) / 1000).toFixed(1)} s`);
      if (spec.cache && policy.save && !o.run.signal.aborted) {
        await atomicWriteDir(dir, async (tmp) => {
          await policy.save!(tmp);
          const { writeFile } = await import('node:fs/promises');
          await writeFile(join(tmp, 'done.json'), JSON.stringify({ policyId, examples: examples.length, created: new Date().toISOString() }));
        });
      }
    }
  } finally {
    await trainer.dispose?.();
  }
  metrics['time/warmstart_s'] = (performance.now() - t0) / 1000;
  return { metrics };
}
