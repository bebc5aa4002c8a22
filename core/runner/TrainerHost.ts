import { join } from 'node:path';
import type { Policy } from '../contracts/Policy.js';
import type { RunContext } from '../contracts/RunContext.js';
import type { AgentBatch, Trainer } from '../contracts/Trainer.js';
import type { ResolvedPipeline } from '../pipeline/ResolvedPipeline.js';
import type { PluginFactory } from '../plugins/PluginFactory.js';
import { MappaError } from '../util/MappaError.js';
import { safePathSegment } from '../util/safePathSegment.js';
import type { UpdateRequest, UpdateResult } from './UpdateExecutor.js';

/**
 * The trainer side of `run.overlap: one-step` in its own process: its own copies of the trained policies (loaded from
 * the run's weights) and its own trainer. Each update writes the new weights of the policies it changed to
 * `outDir/<policy id>/` (lossless), where the run loads them for its rollouts.
 */
export class TrainerHost {
  private constructor(
    private readonly policies: ReadonlyMap<string, Policy>,
    private readonly trainer: Trainer,
    private readonly signal: AbortSignal,
  ) {}

  /** Creates the pipeline's policies `policyIds` with the weights in `weightsDir/<id>/`, and the trainer (with saved state). */
  static async create(o: {
    pipeline: ResolvedPipeline;
    plugins: PluginFactory;
    run: RunContext;
    policyIds: readonly string[];
    weightsDir: string;
    trainerStateDir?: string | undefined;
  }): Promise<TrainerHost> {
    const spec = o.pipeline.spec;
    if (!spec.trainer) throw new MappaError('the pipeline has no trainer');
    const policies = new Map<string, Policy>();
    try {
      for (const id of o.policyIds) {
        const ref = o.pipeline.policies[id];
        if (!ref) throw new MappaError(`no policy "${id}" in the run's pipeline`);
        const policy = await o.plugins.create('policy', ref, o.pipeline.policyPaths[id] ?? `policies.${id}`, id);
        policies.set(id, policy);
        if (!policy.load) throw new MappaError(`policy "${id}" cannot load weights, which a trainer process needs`);
        await policy.load(join(o.weightsDir, safePathSegment(id, 'policy id')));
      }
      const trainer = await o.plugins.create('trainer', spec.trainer, 'trainer');
      const problems = trainer.validate?.(policies) ?? [];
      if (problems.length) throw new MappaError(`trainer ${trainer.name} cannot train this pipeline:\n  - ${problems.join('\n  - ')}`);
      if (o.trainerStateDir) {
        if (!trainer.loadState) throw new MappaError(`trainer ${trainer.name} cannot load the state in ${o.trainerStateDir}`);
        await trainer.loadState(o.trainerStateDir);
      }
      return new TrainerHost(policies, trainer, o.run.signal);
    } catch (err) {
      for (const p of policies.values()) await p.dispose?.();
      throw err;
    }
  }

  /** Runs one update and saves the weights of the policies it trained to `outDir/<id>/`. */
  async step(request: UpdateRequest, outDir: string): Promise<UpdateResult & { readonly policyIds: string[] }> {
    const batches: AgentBatch[] = request.batches.map((b) => {
      const policy = this.policies.get(b.policyId);
      if (!policy) throw new MappaError(`the trainer process holds no policy "${b.policyId}" (agent ${b.agentId})`);
      return { agentId: b.agentId, policy, experiences: b.experiences };
    });
    const t0 = performance.now();
    const metrics = await this.trainer.step(batches, { step: request.step, totalSteps: request.totalSteps, offPolicy: request.offPolicy, signal: this.signal });
    const seconds = (performance.now() - t0) / 1000;
    const policyIds = [...new Set(request.batches.map((b) => b.policyId))];
    for (const id of policyIds) await this.policies.get(id)!.save!(join(outDir, safePathSegment(id, 'policy id')), { exact: true });
    return { metrics, seconds, policyIds };
  }

  async saveState(dir: string): Promise<void> {
    if (!this.trainer.saveState) throw new MappaError(`trainer ${this.trainer.name} cannot save its state`);
    await this.trainer.saveState(dir);
  }

  async dispose(): Promise<void> {
    await this.trainer.dispose?.();
    for (const p of this.policies.values()) await p.dispose?.();
  }
}
