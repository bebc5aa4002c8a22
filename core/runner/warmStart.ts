import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Logger } from '../contracts/Logger.js';
import type { Policy } from '../contracts/Policy.js';
import type { RunContext } from '../contracts/RunContext.js';
import type { ResolvedPipeline } from '../pipeline/ResolvedPipeline.js';
import type { PluginFactory } from '../plugins/PluginFactory.js';
import { atomicWriteDir } from '../util/atomicWrite.js';
import { safePathSegment } from '../util/safePathSegment.js';
import { ownedTempPrefix, sweepStaleAtomicDirs, sweepStaleTempDirs } from '../util/staleTempDirs.js';
import { MappaError } from '../util/MappaError.js';
import { encodeDemonstrations, type EncodedExample } from './encodeDemonstrations.js';
import type { ProgressReporter } from './ProgressReporter.js';
import type { WarmStartExecutor, WarmStartJobResult } from './WarmStartExecutor.js';
import { runWarmStartJob } from './runWarmStartJob.js';
import { warmStartSharedBases } from './warmStartSharedBase.js';

export interface WarmStartResult {
  /** Figures per policy: demonstrations, cache hit, trainer metrics. */
  readonly metrics: Record<string, number>;
}

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);

/** Runs jobs one after another in this process. */
export function inProcessWarmStartExecutor(o: {
  pipeline: ResolvedPipeline;
  policies: ReadonlyMap<string, Policy>;
  plugins: PluginFactory;
  run: RunContext;
}): WarmStartExecutor {
  return {
    parallelism: 1,
    run: (job, onProgress) => runWarmStartJob(job, o.policies.get(job.policyId)!, { ...o, onProgress }),
  };
}

/**
 * Supervised warm start before the first rollout: the pipeline's demonstration source writes examples, each trained
 * agent's policy encodes its own examples (exact token ids, no text round trip), and the warm-start trainer (SFT by
 * default) fits them — policies in parallel when the executor allows it. Weights are cached in
 * `run.cacheDir/warm-start/<key>/`, keyed by the policy config, the encoded demonstrations and the trainer config, so
 * an identical second run skips the training.
 */
export async function warmStart(o: {
  pipeline: ResolvedPipeline;
  policies: ReadonlyMap<string, Policy>;
  plugins: PluginFactory;
  run: RunContext;
  logger: Logger;
  progress: ProgressReporter;
  executor?: WarmStartExecutor;
}): Promise<WarmStartResult> {
  const spec = o.pipeline.spec.warmStart;
  const metrics: Record<string, number> = {};
  if (!spec) return { metrics };
  const t0 = performance.now();
  const source = await o.plugins.create('demonstrations', spec.demonstrations, 'warmStart.demonstrations');
  const { demonstrations, stats } = await source.demonstrations({ pipeline: o.pipeline, seed: o.run.seed });
  for (const [agent, counts] of Object.entries(stats ?? {})) for (const [k, v] of Object.entries(counts)) metrics[`warmstart/demos/${agent}/${k}`] = v;

  // Group by policy: agents sharing a policy are warm-started together.
  const agentsById = new Map(o.pipeline.agents.map((a) => [a.id, a]));
  const trained = demonstrations.filter((d) => {
    const agent = agentsById.get(d.agentId);
    if (!agent) throw new MappaError(`demonstration for unknown agent "${d.agentId}"`, { hint: `agents: ${[...agentsById.keys()].join(', ')}` });
    return agent.train;
  });
  const policyOf = (agentId: string) => {
    const agent = agentsById.get(agentId)!;
    const policy = o.policies.get(agent.policyId)!;
    if (!policy.encodeDemonstration) {
      throw new MappaError(`policy "${agent.policyId}" cannot encode demonstrations for a warm start`, { hint: 'warm starts need a trainable local policy such as tfjs-transformer' });
    }
    return policy as Policy & Required<Pick<Policy, 'encodeDemonstration'>>;
  };
  const { examples, packed } = await encodeDemonstrations(trained, policyOf, spec.pack);
  if (packed > 0) metrics['warmstart/packed_examples'] = packed;
  const byPolicy = new Map<string, EncodedExample[]>();
  for (const e of examples) {
    const policyId = agentsById.get(e.agentId)!.policyId;
    const list = byPolicy.get(policyId) ?? [];
    list.push(e);
    byPolicy.set(policyId, list);
  }
  if (byPolicy.size === 0) {
    o.logger.warn('warm start: the demonstration source produced nothing for the trained agents');
    return { metrics };
  }

  const executor = o.executor ?? inProcessWarmStartExecutor(o);
  await sweepStaleTempDirs('warmstart');
  const scratch = await mkdtemp(ownedTempPrefix('warmstart'));
  try {
    if (spec.base === 'shared') {
      await warmStartSharedBases({ ...o, byPolicy, scratch, metrics });
      byPolicy.clear();
    }
    const limit = pLimit(executor.parallelism);
    await Promise.all(
      [...byPolicy].map(([policyId, examples]) =>
        limit(async () => {
          if (o.run.signal.aborted) return;
          const policy = o.policies.get(policyId)!;
          const key = hash({ policy: o.pipeline.policies[policyId], trainer: spec.trainer, seed: o.run.seed, examples: hash(examples) });
          const dir = join(o.run.cacheDir, 'warm-start', key, safePathSegment(policyId, 'policy id'));
          // Half-written results of a warm start that was killed.
          await sweepStaleAtomicDirs(join(o.run.cacheDir, 'warm-start', key));
          metrics[`warmstart/${policyId}/demonstrations`] = examples.length;
          if (spec.cache && existsSync(join(dir, 'done.json')) && policy.load) {
            await policy.load(dir);
            metrics[`warmstart/${policyId}/cache_hit`] = 1;
            o.logger.info(`warm start: ${policyId} loaded from cache (${dir})`);
            return;
          }
          metrics[`warmstart/${policyId}/cache_hit`] = 0;
          if (!policy.save || !policy.load) throw new MappaError(`policy "${policyId}" cannot save and load weights, which a warm start needs`);
          const initialDir = join(scratch, `${policyId}-initial`);
          await policy.save(initialDir, { exact: true });
          const label = `warm start ${policyId}`;
          o.progress.start(label, label, 1);
          let result: WarmStartJobResult | undefined;
          const train = async (outDir: string) => {
            result = await executor.run({ policyId, initialDir, outDir, examples }, (done, total) => {
              o.progress.start(label, label, total);
              o.progress.update(label, done);
            });
          };
          if (spec.cache) await atomicWriteDir(dir, train);
          else await train(join(scratch, `${policyId}-trained`));
          o.progress.stop(label);
          await policy.load(spec.cache ? dir : join(scratch, `${policyId}-trained`));
          for (const [k, v] of Object.entries(result!.metrics)) metrics[`warmstart/${policyId}/${k}`] = v;
          o.logger.info(`warm start: ${policyId} trained on ${examples.length} demonstrations in ${(result!.metrics['seconds'] ?? 0).toFixed(1)} s`);
        }),
      ),
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (o.run.signal.aborted) throw new MappaError('warm start interrupted; nothing was trained');
  metrics['time/warmstart_s'] = (performance.now() - t0) / 1000;
  return { metrics };
}
