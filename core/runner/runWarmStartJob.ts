import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Policy } from '../contracts/Policy.js';
import type { RunContext } from '../contracts/RunContext.js';
import type { Experience } from '../model/Experience.js';
import type { ResolvedPipeline } from '../pipeline/ResolvedPipeline.js';
import type { PluginFactory } from '../plugins/PluginFactory.js';
import { MappaError } from '../util/MappaError.js';
import type { WarmStartJob, WarmStartJobResult } from './WarmStartExecutor.js';

/**
 * Trains one warm-start job in this process: creates the warm-start trainer, loads the job's initial weights into
 * `policy`, trains on the examples and saves the result to `job.outDir`. The CLI's child processes call it too.
 */
export async function runWarmStartJob(
  job: WarmStartJob,
  policy: Policy,
  o: { pipeline: ResolvedPipeline; plugins: PluginFactory; run: RunContext; onProgress?: (done: number, total: number) => void },
): Promise<WarmStartJobResult> {
  const spec = o.pipeline.spec.warmStart;
  if (!spec) throw new MappaError('the pipeline has no warmStart section');
  if (!policy.load || !policy.save) throw new MappaError(`policy "${job.policyId}" cannot save and load weights, which a warm start needs`);
  await policy.load(job.initialDir);
  const trainer = await o.plugins.create('trainer', spec.trainer, 'warmStart.trainer');
  try {
    const experiences: Experience[] = job.examples.map((e, i) => ({
      agentId: e.agentId,
      policyId: job.policyId,
      episodeId: `warm-start-${i}`,
      taskId: `warm-start-${i}`,
      groupId: `warm-start-${i}`,
      turnIndex: 0,
      contextIds: e.contextIds,
      actionIds: e.actionIds,
      ...(e.lossMask ? { lossMask: e.lossMask } : {}),
      rolloutLogprobs: [],
      reward: 1,
      score: 10,
      truncated: false,
      policyVersion: policy.version,
      taskMetadata: {},
    }));
    const t0 = performance.now();
    const result = await trainer.step([{ agentId: job.policyId, policy, experiences }], {
      step: 0,
      totalSteps: 1,
      signal: o.run.signal,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    const metrics: Record<string, number> = {};
    for (const ms of Object.values(result)) Object.assign(metrics, ms);
    metrics['seconds'] = (performance.now() - t0) / 1000;
    if (o.run.signal.aborted) throw new MappaError('warm start interrupted');
    await policy.save(job.outDir, { exact: true });
    await writeFile(join(job.outDir, 'done.json'), JSON.stringify({ policyId: job.policyId, examples: job.examples.length, created: new Date().toISOString() }));
    return { metrics };
  } finally {
    await trainer.dispose?.();
  }
}
