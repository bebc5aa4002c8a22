import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { Policy } from '../../../core/contracts/Policy.js';
import type { AgentBatch, Trainer, TrainMetrics, TrainStepContext } from '../../../core/contracts/Trainer.js';
import { atomicWriteFile } from '../../../core/util/atomicWrite.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { Rng } from '../../../core/util/Rng.js';
import { isTrainablePolicy, type TrainablePolicy } from '../../../core/contracts/TrainablePolicy.js';
import type { Tf } from '../../tfjs/loadTf.js';
import type { AdamOptions } from './Adam.js';
import { learningRate } from './learningRate.js';
import type { OptimizerOptions } from './OptimizerOptions.js';
import { PolicySlot, type SavedSlot } from './PolicySlot.js';

const STATE_FORMAT = 'mappa-trainer/1';

/** What one step's optimizer updates of a policy came to. */
export interface UpdateTally {
  gradNorm: number;
  /** Updates applied. */
  n: number;
  /** Learning rate of the last update. */
  lr: number;
  /** Updates skipped for a non-finite gradient. */
  skipped: number;
}

/** The optimizer figures of an agent's metrics row. */
export function updateMetrics(u: UpdateTally): Record<string, number> {
  return { grad_norm: u.n > 0 ? u.gradNorm / u.n : 0, lr: u.lr, optimizer_steps: u.n, skipped_updates: u.skipped };
}

interface SavedState {
  readonly format: string;
  readonly trainer: string;
  readonly step: number;
  readonly rng: number[];
  readonly policies: Record<string, { readonly dir: string; readonly optimizerStep: number }>;
}

/**
 * What every local trainer shares: one PolicySlot (optimizer + reference) per policy, a seeded RNG, and exact
 * save/load of all of it. Layout of a saved state: `state.json` (format, trainer, step, RNG state, policies) and one
 * `policy-N/` folder per policy with `optimizer.{bin,json}` and `reference.{bin,json}`; every file is written
 * atomically and `state.json` last.
 */
export abstract class SlotTrainer implements Trainer {
  abstract readonly name: string;
  protected readonly slots = new Map<string, PolicySlot>();
  readonly #pending = new Map<string, SavedSlot>();
  protected rng: Rng;
  /** Last trainer step completed. */
  protected lastStep = 0;

  constructor(
    protected readonly tf: Tf,
    private readonly adam: AdamOptions,
    seed: number,
    /** Snapshot a frozen reference model for each policy. */
    private readonly withReference: boolean,
    protected readonly logger?: Logger,
  ) {
    this.rng = Rng.fromSeed(seed);
  }

  abstract step(batches: readonly AgentBatch[], context: TrainStepContext): Promise<Record<string, TrainMetrics>>;

  validate(policies: ReadonlyMap<string, Policy>): string[] {
    const problems: string[] = [];
    for (const [id, p] of policies) {
      if (p.trainable && !isTrainablePolicy(p)) {
        problems.push(`policy "${id}" says it is trainable but does not implement TrainablePolicy (variables, forward, snapshot)`);
      }
    }
    return problems;
  }

  /** The batch's policy as a TrainablePolicy, or a clear error. */
  protected trainable(batch: AgentBatch): TrainablePolicy {
    if (!isTrainablePolicy(batch.policy)) {
      throw new MappaError(`trainer ${this.name} cannot train agent "${batch.agentId}": policy "${batch.policy.id}" is not a local trainable policy`, {
        hint: 'use a tfjs-transformer policy for trained agents, or set `train: false` on the agent',
      });
    }
    return batch.policy;
  }

  /** The policy's slot, created on first use (restoring loaded state, snapshotting the reference). */
  protected slot(policy: TrainablePolicy): PolicySlot {
    let slot = this.slots.get(policy.id);
    if (slot && slot.policy !== policy) throw new MappaError(`two different policies share the id "${policy.id}"`);
    if (!slot) {
      slot = new PolicySlot(this.tf, policy, this.adam);
      const saved = this.#pending.get(policy.id);
      if (saved) {
        slot.restore(saved);
        this.#pending.delete(policy.id);
      }
      if (this.withReference) slot.ensureReference();
      this.slots.set(policy.id, slot);
    }
    return slot;
  }

  /**
   * `epochs` passes of `miniBatches` mini-batches over one policy's rows (shuffled by the trainer RNG when there is
   * more than one mini-batch), each one `update` at the scheduled learning rate; a non-finite gradient skips the
   * update with a warning.
   */
  protected miniBatchUpdates<R>(
    slot: PolicySlot,
    rows: readonly R[],
    o: OptimizerOptions,
    context: TrainStepContext,
    update: (mini: R[], lr: number) => { readonly applied: boolean; readonly gradNorm: number },
  ): UpdateTally {
    const perStep = o.epochs * o.miniBatches;
    const total = Math.max(1, context.totalSteps) * perStep;
    const tally: UpdateTally = { gradNorm: 0, n: 0, lr: 0, skipped: 0 };
    let k = 0;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = o.miniBatches > 1 ? this.rng.shuffle(rows) : rows;
      for (let mb = 0; mb < o.miniBatches; mb++, k++) {
        if (context.signal?.aborted) return tally;
        const mini = order.slice(Math.floor((mb * order.length) / o.miniBatches), Math.floor(((mb + 1) * order.length) / o.miniBatches));
        if (mini.length === 0) continue;
        const lr = learningRate(o.lr, o.schedule, (Math.max(1, context.step) - 1) * perStep + k, total);
        const res = update(mini, lr);
        tally.lr = lr;
        if (res.applied) {
          tally.gradNorm += res.gradNorm;
          tally.n++;
        } else {
          tally.skipped++;
          this.logger?.warn(`${this.name}: non-finite gradient for policy "${slot.policy.id}"; update skipped`);
        }
        context.onProgress?.(k + 1, perStep);
      }
    }
    return tally;
  }

  /** For `sharedPolicy: error`: refuses agents that share a policy. */
  protected assertNoSharedPolicy(agents: ReadonlyArray<{ readonly agentId: string; readonly slot: PolicySlot }>): void {
    const seen = new Map<PolicySlot, string>();
    for (const a of agents) {
      const other = seen.get(a.slot);
      if (other !== undefined) {
        throw new MappaError(`agents "${other}" and "${a.agentId}" share policy "${a.slot.policy.id}" but the trainer has sharedPolicy: error`, {
          hint: 'set `sharedPolicy: joint` on the trainer, or give each agent its own policy',
        });
      }
      seen.set(a.slot, a.agentId);
    }
  }

  async saveState(dir: string): Promise<void> {
    const policies: SavedState['policies'] = {};
    let i = 0;
    for (const [id, slot] of this.slots) {
      const sub = `policy-${i++}`;
      await mkdir(join(dir, sub), { recursive: true });
      await slot.save(join(dir, sub));
      policies[id] = { dir: sub, optimizerStep: slot.optimizer.step };
    }
    // Loaded state of policies no step has used since: saving must not drop it.
    for (const [id, saved] of this.#pending) {
      const sub = `policy-${i++}`;
      await mkdir(join(dir, sub), { recursive: true });
      await PolicySlot.write(this.tf, join(dir, sub), saved.moments, saved.reference);
      policies[id] = { dir: sub, optimizerStep: saved.optimizerStep };
    }
    const state: SavedState = { format: STATE_FORMAT, trainer: this.name, step: this.lastStep, rng: this.rng.state(), policies };
    await atomicWriteFile(join(dir, 'state.json'), JSON.stringify(state, null, 2));
  }

  async loadState(dir: string): Promise<void> {
    let state: SavedState;
    try {
      state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as SavedState;
    } catch (err) {
      throw new MappaError(`cannot read trainer state from ${dir}: ${(err as Error).message}`, {
        hint: "pass a directory written by saveState (a checkpoint's trainer/ folder)",
        cause: err,
      });
    }
    if (state.format !== STATE_FORMAT) throw new MappaError(`${dir}/state.json has format "${state.format}", expected "${STATE_FORMAT}"`);
    if (state.trainer !== this.name) {
      throw new MappaError(`${dir} holds the state of trainer "${state.trainer}", not "${this.name}"`, { hint: 'resume with the trainer the run was started with' });
    }
    this.rng = Rng.fromState(state.rng);
    this.lastStep = state.step;
    for (const [id, p] of Object.entries(state.policies)) {
      const saved = await PolicySlot.read(this.tf, join(dir, p.dir), p.optimizerStep);
      const slot = this.slots.get(id);
      if (slot) slot.restore(saved);
      else {
        const old = this.#pending.get(id);
        if (old) disposeSaved(old);
        this.#pending.set(id, saved);
      }
    }
  }

  dispose(): void {
    for (const slot of this.slots.values()) slot.dispose();
    this.slots.clear();
    for (const s of this.#pending.values()) disposeSaved(s);
    this.#pending.clear();
  }
}

function disposeSaved(s: SavedSlot): void {
  for (const t of s.moments.values()) t.dispose();
  for (const t of s.reference?.values() ?? []) t.dispose();
}
