import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../contracts/Logger.js';
import type { Policy, SharedBase } from '../contracts/Policy.js';
import type { RunContext } from '../contracts/RunContext.js';
import type { ResolvedPipeline } from '../pipeline/ResolvedPipeline.js';
import type { PluginFactory } from '../plugins/PluginFactory.js';
import { atomicWriteDir } from '../util/atomicWrite.js';
import { MappaError } from '../util/MappaError.js';
import { sweepStaleAtomicDirs } from '../util/staleTempDirs.js';
import type { EncodedExample } from './encodeDemonstrations.js';
import type { ProgressReporter } from './ProgressReporter.js';
import { runWarmStartJob } from './runWarmStartJob.js';
import type { WarmStartJobResult } from './WarmStartExecutor.js';

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);

/**
 * `warmStart.base: shared`: every shared base under the trained agents' adapter policies is trained as one full model
 * on all those agents' demonstrations, saved as a Hugging Face checkpoint and put under the adapters (which stay at
 * B = 0, so each agent starts as the warm base). Cached in `run.cacheDir/warm-start/<key>/shared-base/`, keyed by
 * the base's source, the demonstrations, the trainer and the seed; without the cache the checkpoint goes to
 * `<runDir>/warm-start/<key>/shared-base/`, since saved adapters (and a resume) load it from there.
 */
export async function warmStartSharedBases(o: {
  pipeline: ResolvedPipeline;
  policies: ReadonlyMap<string, Policy>;
  plugins: PluginFactory;
  run: RunContext;
  logger: Logger;
  progress: ProgressReporter;
  byPolicy: ReadonlyMap<string, readonly EncodedExample[]>;
  scratch: string;
  metrics: Record<string, number>;
}): Promise<void> {
  const spec = o.pipeline.spec.warmStart;
  if (!spec) return;
  const groups = new Map<string, { base: SharedBase; policyIds: string[]; examples: EncodedExample[] }>();
  for (const [policyId, examples] of o.byPolicy) {
    const base = o.policies.get(policyId)?.sharedBase?.();
    if (!base) {
      throw new MappaError(`warmStart.base: shared, but policy "${policyId}" is not an adapter on a shared base`, {
        hint: `give policies.${policyId} a \`lora:\` section (tfjs-transformer), or remove warmStart.base to warm-start each policy's own weights`,
      });
    }
    const g = groups.get(base.key) ?? { base, policyIds: [], examples: [] };
    g.policyIds.push(policyId);
    g.examples.push(...examples);
    groups.set(base.key, g);
  }
  let i = 0;
  for (const { base, policyIds, examples } of groups.values()) {
    if (o.run.signal.aborted) return;
    const name = groups.size === 1 ? 'shared-base' : `shared-base-${i}`;
    i++;
    const key = hash({ sharedBase: base.source, trainer: spec.trainer, seed: o.run.seed, examples: hash(examples) });
    const root = join(spec.cache ? o.run.cacheDir : o.run.runDir, 'warm-start', key);
    const dir = join(root, 'shared-base');
    await sweepStaleAtomicDirs(root);
    o.metrics[`warmstart/${name}/demonstrations`] = examples.length;
    o.metrics[`warmstart/${name}/policies`] = policyIds.length;
    if (spec.cache && existsSync(join(dir, 'done.json'))) {
      await base.replace(dir);
      o.metrics[`warmstart/${name}/cache_hit`] = 1;
      o.logger.info(`warm start: shared base of ${policyIds.join(', ')} loaded from cache (${dir})`);
      continue;
    }
    o.metrics[`warmstart/${name}/cache_hit`] = 0;
    const copy = await base.trainableCopy(`${policyIds.join('+')}-base`);
    try {
      if (!copy.save) throw new MappaError(`the shared base of ${policyIds.join(', ')} cannot be saved, which warmStart.base: shared needs`);
      const initialDir = join(o.scratch, `${name}-initial`);
      await copy.save(initialDir, { exact: true });
      const label = `warm start ${name}`;
      o.progress.start(label, label, 1);
      let result: WarmStartJobResult | undefined;
      await atomicWriteDir(dir, async (outDir) => {
        result = await runWarmStartJob({ policyId: name, initialDir, outDir, examples }, copy, {
          pipeline: o.pipeline,
          plugins: o.plugins,
          run: o.run,
          onProgress: (done, total) => {
            o.progress.start(label, label, total);
            o.progress.update(label, done);
          },
        });
      });
      o.progress.stop(label);
      for (const [k, v] of Object.entries(result!.metrics)) o.metrics[`warmstart/${name}/${k}`] = v;
      o.logger.info(`warm start: shared base of ${policyIds.join(', ')} trained on ${examples.length} demonstrations in ${(result!.metrics['seconds'] ?? 0).toFixed(1)} s (${dir})`);
    } finally {
      await copy.dispose?.();
    }
    await base.replace(dir);
  }
}
