import type { Policy } from '../contracts/Policy.js';
import type { AgentBatch, Trainer } from '../contracts/Trainer.js';
import { MappaError } from '../util/MappaError.js';
import type { UpdateExecutor, UpdateRequest, UpdateResult, UpdateTicket } from './UpdateExecutor.js';

/**
 * Runs the updates with the run's own trainer, in this process. TensorFlow.js computes on this thread, so an update
 * cannot run while rollouts do: `wait` trains, after the runner's rollouts of the next step. The schedule (and every
 * number) is the trainer process's; only the wall time differs.
 */
export function inProcessUpdateExecutor(trainer: Trainer): UpdateExecutor {
  let policies: ReadonlyMap<string, Policy> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const run = async (r: UpdateRequest): Promise<UpdateResult> => {
    if (!policies) throw new MappaError('the update executor was used before start()');
    const batches: AgentBatch[] = r.batches.map((b) => ({ agentId: b.agentId, policy: policies!.get(b.policyId)!, experiences: b.experiences }));
    const t0 = performance.now();
    // No abort signal, as in the trainer process: after Ctrl-C the update in flight still finishes (and is logged).
    const metrics = await trainer.step(batches, { step: r.step, totalSteps: r.totalSteps, offPolicy: r.offPolicy });
    return { metrics, seconds: (performance.now() - t0) / 1000 };
  };
  return {
    concurrent: false,
    async start(o) {
      policies = o.policies;
    },
    submit(request): UpdateTicket {
      let result: Promise<UpdateResult> | undefined;
      return {
        step: request.step,
        wait: () => {
          // Deferred to the first wait, and chained, so updates run in submission order after the next rollouts.
          result ??= queue.then(() => run(request));
          queue = result.catch(() => undefined);
          return result;
        },
      };
    },
    async saveState(dir) {
      await queue;
      if (!trainer.saveState) throw new MappaError(`trainer ${trainer.name} cannot save its state`);
      await trainer.saveState(dir);
    },
    async close() {
      await queue;
    },
  };
}
