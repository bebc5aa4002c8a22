import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import pLimit from 'p-limit';
import { isExternallyTrainablePolicy, type ExternallyTrainablePolicy } from '../../../core/contracts/ExternallyTrainablePolicy.js';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { Policy } from '../../../core/contracts/Policy.js';
import type { AgentBatch, Trainer, TrainMetrics, TrainStepContext } from '../../../core/contracts/Trainer.js';
import { atomicWriteFile } from '../../../core/util/atomicWrite.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { fillPlaceholders, runExternalCommand } from './runExternalCommand.js';
import { writeMappaRlBatch } from './writeMappaRlBatch.js';

const STATE_FORMAT = 'mappa-external-trainer/1';

export interface ExternalTrainerOptions {
  /** The trainer command (placeholders, see externalTrainerConfig.ts), or… */
  readonly command?: string | readonly string[] | undefined;
  /** …an HTTP trainer that receives the batch and answers once the new weights are written. */
  readonly endpoint?: string | undefined;
  readonly timeoutS: number;
  /** The batch meta's `trainer` field: estimator and settings. */
  readonly settings: { readonly estimator: string } & Readonly<Record<string, unknown>>;
  readonly reloadCommand?: string | readonly string[] | undefined;
  readonly reloadTimeoutS: number;
  /** Policies trained at once (default 1). */
  readonly concurrency?: number | undefined;
  /** Run directory: batches, new weights and trainer state go under `<runDir>/external/<policy>/`. */
  readonly runDir: string;
  /** Working directory of the commands (the pipeline file's folder). */
  readonly cwd: string;
  readonly runName?: string | undefined;
  readonly logger?: Logger | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
}

interface PolicyState {
  /** Weights being served after the last good step. */
  weightsDir: string;
  version: number;
}

interface SavedState {
  readonly format: string;
  readonly step: number;
  readonly policies: Record<string, { readonly weightsDir: string; readonly version: number; readonly state: string | null }>;
}

/**
 * `trainer: { use: external }`: each step, per policy, writes the step's `mappa-rl` batch, runs a trainer outside
 * this process (a command or an HTTP endpoint) that writes new weights, has the policy's server load them (vLLM's
 * `load_lora_adapter`, `mappa serve`, or a reload command) and bumps the policy's version. Weights only change once
 * all of that succeeded, so a failure leaves the last good version served and checkpointable (`keepsStateOnFailure`).
 *
 * Layout under `<runDir>/external/<policy>/`: `step-NNNN/batch/{meta.json,records.jsonl}`, `step-NNNN/weights/` (what
 * the trainer wrote), `state/` (the trainer's own state: optimizer, reference) and `state-committed/` (a copy of it
 * after the last good step, which checkpoints save).
 */
export class ExternalTrainer implements Trainer {
  readonly name = 'external';
  readonly keepsStateOnFailure = true;
  readonly #policies = new Map<string, ExternallyTrainablePolicy>();
  readonly #state = new Map<string, PolicyState>();
  #lastStep = 0;

  constructor(readonly options: ExternalTrainerOptions) {}

  #policyDir(id: string): string {
    return join(this.options.runDir, 'external', id);
  }

  validate(policies: ReadonlyMap<string, Policy>): string[] {
    for (const [id, p] of policies) if (isExternallyTrainablePolicy(p)) this.#policies.set(id, p);
    return [];
  }

  async step(batches: readonly AgentBatch[], context: TrainStepContext): Promise<Record<string, TrainMetrics>> {
    const byPolicy = new Map<string, AgentBatch[]>();
    for (const b of batches) {
      const list = byPolicy.get(b.policy.id) ?? [];
      list.push(b);
      byPolicy.set(b.policy.id, list);
    }
    const jobs: Array<[ExternallyTrainablePolicy, AgentBatch[]]> = [];
    for (const [policyId, group] of byPolicy) {
      const policy = group[0]!.policy;
      if (!isExternallyTrainablePolicy(policy)) {
        throw new MappaError(`trainer external cannot train agent "${group[0]!.agentId}": policy "${policyId}" cannot load new weights from outside`, {
          hint: 'use an openai-compatible policy served by vLLM (--enable-lora) or `mappa serve`, with `weights:` naming its starting weights',
        });
      }
      this.#policies.set(policyId, policy);
      jobs.push([policy, group]);
    }
    const limit = pLimit(this.options.concurrency ?? 1);
    const results = await Promise.allSettled(jobs.map(([policy, group]) => limit(() => this.#stepPolicy(policy, group, context))));
    // The step counts only when every policy succeeded: until then the saved state (what a checkpoint of the last
    // good step holds) keeps the previous versions and trainer state, also of policies whose server already serves
    // their new weights (a resume loads the saved ones back and redoes the step for all).
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const out: Record<string, TrainMetrics> = {};
    for (const r of results) {
      if (r.status !== 'fulfilled') continue;
      await r.value.commit();
      Object.assign(out, r.value.metrics);
    }
    this.#lastStep = context.step;
    return out;
  }

  async #stepPolicy(
    policy: ExternallyTrainablePolicy,
    group: readonly AgentBatch[],
    context: TrainStepContext,
  ): Promise<{ metrics: Record<string, TrainMetrics>; commit: () => Promise<void> }> {
    const o = this.options;
    const version = policy.version;
    const weights = this.#state.get(policy.id)?.weightsDir ?? policy.weightsDir;
    if (!weights) {
      throw new MappaError(`trainer external: policy "${policy.id}" does not say where its weights are`, {
        hint: `set \`weights:\` on policy "${policy.id}" to the directory the server loaded (a Hugging Face checkpoint or PEFT adapter)`,
      });
    }
    const metrics: Record<string, Record<string, number>> = {};
    for (const b of group) {
      const behind = b.experiences.map((e) => version - e.policyVersion);
      metrics[b.agentId] = {
        samples: b.experiences.length,
        policy_version: version,
        ...(behind.length ? { staleness_mean: behind.reduce((s, x) => s + x, 0) / behind.length, staleness_max: Math.max(...behind) } : {}),
      };
    }
    const samples = group.reduce((s, b) => s + b.experiences.length, 0);
    if (samples === 0) {
      o.logger?.warn(`trainer external: no experiences for policy "${policy.id}" at step ${context.step}; not trained (do its generations carry token ids? set returnTokenIds: true)`);
      return { metrics, commit: async () => {} };
    }

    const pdir = this.#policyDir(policy.id);
    const stepDir = join(pdir, `step-${String(context.step).padStart(4, '0')}`);
    await rm(stepDir, { recursive: true, force: true });
    const stateDir = join(pdir, 'state');
    await mkdir(stateDir, { recursive: true });
    const batchDir = join(stepDir, 'batch');
    const outDir = join(stepDir, 'weights');
    const { metaPath, meta } = await writeMappaRlBatch(batchDir, {
      run: o.runName ?? '',
      step: context.step,
      totalSteps: context.totalSteps,
      policyId: policy.id,
      policyVersion: version,
      batches: group,
      trainer: o.settings,
      stateDir,
      maskTruncated: o.settings['maskTruncated'] !== false,
    });

    // 1. The trainer.
    const t0 = performance.now();
    const where = `policy "${policy.id}" at step ${context.step}`;
    const keptHint = `the run kept every finished episode and version ${version} of the weights (${weights}); fix the cause, then continue with \`mappa train --resume ${o.runDir}\``;
    if (o.command !== undefined) {
      const argv = fillPlaceholders(o.command, {
        meta: metaPath,
        records: join(batchDir, meta.records),
        batch: batchDir,
        weights,
        out: outDir,
        state: stateDir,
        step: String(context.step),
        policy: policy.id,
        version: String(version),
      });
      o.logger?.info(`trainer external: ${where}: ${argv.join(' ')}`);
      const res = await runExternalCommand(argv, { cwd: o.cwd, timeoutMs: o.timeoutS * 1000, logger: o.logger, label: `trainer ${policy.id}`, signal: context.signal });
      if (res.exitCode !== 0) {
        const how = res.timedOut
          ? `timed out after ${o.timeoutS} s`
          : context.signal?.aborted
            ? 'was stopped because the run was interrupted'
            : res.exitCode === undefined
              ? `was killed (${res.signal ?? 'signal'})`
              : `exited with code ${res.exitCode}`;
        throw new MappaError(`external trainer for ${where} failed: \`${argv.join(' ')}\` ${how}`, {
          hint: `${res.tail.length ? `its last output:\n    ${res.tail.join('\n    ')}\n` : ''}batch: ${metaPath}\n${keptHint}`,
        });
      }
    } else {
      await this.#callEndpoint(o.endpoint!, { meta_path: metaPath, meta, weights_dir: weights, out_dir: outDir, state_dir: stateDir }, where, metaPath, keptHint, context.signal);
    }
    const trainerS = (performance.now() - t0) / 1000;
    if (!hasWeights(outDir)) {
      throw new MappaError(`external trainer for ${where} finished but wrote no weights to ${outDir}`, {
        hint: `it must write a Hugging Face checkpoint (config.json + model.safetensors) or a PEFT adapter (adapter_config.json + adapter_model.safetensors) there\nbatch: ${metaPath}\n${keptHint}`,
      });
    }

    // 2. The server loads them.
    const t1 = performance.now();
    const next = version + 1;
    if (o.reloadCommand !== undefined) {
      const argv = fillPlaceholders(o.reloadCommand, { weights: outDir, version: String(next), policy: policy.id });
      const res = await runExternalCommand(argv, { cwd: o.cwd, timeoutMs: o.reloadTimeoutS * 1000, logger: o.logger, label: `reload ${policy.id}`, signal: context.signal });
      if (res.exitCode !== 0) {
        throw new MappaError(`reload command for ${where} failed: \`${argv.join(' ')}\` ${res.timedOut ? `timed out after ${o.reloadTimeoutS} s` : `exited with code ${res.exitCode ?? res.signal}`}`, {
          hint: `${res.tail.length ? `its last output:\n    ${res.tail.join('\n    ')}\n` : ''}new weights: ${outDir}\n${keptHint}`,
        });
      }
      policy.setServedWeights(outDir, next);
    } else {
      try {
        await policy.loadWeights(outDir, next, context.signal);
      } catch (err) {
        if (err instanceof MappaError) throw new MappaError(`${err.message} (${where})`, { hint: `${err.hint ? `${err.hint}\n` : ''}${keptHint}`, cause: err });
        throw err;
      }
    }
    const reloadS = (performance.now() - t1) / 1000;
    const commit = async () => {
      this.#state.set(policy.id, { weightsDir: outDir, version: next });
      await rm(join(pdir, 'state-committed'), { recursive: true, force: true });
      await cp(stateDir, join(pdir, 'state-committed'), { recursive: true });
    };
    o.logger?.info(`trainer external: ${where}: version ${next} served (trainer ${trainerS.toFixed(1)} s, reload ${reloadS.toFixed(1)} s)`);

    const reported = await readTrainerMetrics(outDir, o.logger);
    for (const b of group) {
      Object.assign(metrics[b.agentId]!, reported[b.agentId] ?? {}, { wait_trainer_s: trainerS, wait_reload_s: reloadS, policy_version: next });
    }
    return { metrics, commit };
  }

  async #callEndpoint(url: string, body: unknown, where: string, metaPath: string, keptHint: string, signal: AbortSignal | undefined): Promise<void> {
    const timeout = AbortSignal.timeout(this.options.timeoutS * 1000);
    let res: Response;
    try {
      res = await (this.options.fetch ?? globalThis.fetch)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      const timedOut = timeout.aborted;
      throw new MappaError(`external trainer for ${where} failed: POST ${url} ${timedOut ? `timed out after ${this.options.timeoutS} s` : `failed (${(err as Error).message})`}`, {
        hint: `batch: ${metaPath}\n${keptHint}`,
        cause: err,
      });
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => '')).slice(-2000);
      throw new MappaError(`external trainer for ${where} failed: POST ${url} answered HTTP ${res.status}`, { hint: `${text ? `its answer: ${text}\n` : ''}batch: ${metaPath}\n${keptHint}` });
    }
  }

  /** `state.json` (served weights and version per policy) and each policy's committed trainer state. */
  async saveState(dir: string): Promise<void> {
    const policies: Record<string, SavedState['policies'][string]> = {};
    let i = 0;
    for (const [id, s] of this.#state) {
      const committed = join(this.#policyDir(id), 'state-committed');
      let state: string | null = null;
      if (existsSync(committed)) {
        state = `policy-${i++}`;
        await cp(committed, join(dir, state), { recursive: true });
      }
      policies[id] = { weightsDir: this.#relative(s.weightsDir), version: s.version, state };
    }
    const saved: SavedState = { format: STATE_FORMAT, step: this.#lastStep, policies };
    await atomicWriteFile(join(dir, 'state.json'), JSON.stringify(saved, null, 2));
  }

  /** Restores the served weights and trainer state of a checkpoint, and has each server load those weights again. */
  async loadState(dir: string): Promise<void> {
    let saved: SavedState;
    try {
      saved = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as SavedState;
    } catch (err) {
      throw new MappaError(`cannot read external trainer state from ${dir}: ${(err as Error).message}`, { cause: err });
    }
    if (saved.format !== STATE_FORMAT) {
      throw new MappaError(`${dir}/state.json has format "${saved.format}", expected "${STATE_FORMAT}"`, { hint: 'resume with the trainer the run was started with' });
    }
    this.#lastStep = saved.step;
    for (const [id, p] of Object.entries(saved.policies)) {
      const pdir = this.#policyDir(id);
      for (const sub of ['state', 'state-committed']) {
        await rm(join(pdir, sub), { recursive: true, force: true });
        if (p.state) await cp(join(dir, p.state), join(pdir, sub), { recursive: true });
      }
      const weightsDir = isAbsolute(p.weightsDir) ? p.weightsDir : resolve(this.options.runDir, p.weightsDir);
      this.#state.set(id, { weightsDir, version: p.version });
      const policy = this.#policies.get(id);
      if (!policy) {
        this.options.logger?.warn(`trainer external: checkpoint names policy "${id}", which this pipeline does not have (or cannot be trained externally)`);
        continue;
      }
      if (policy.version === p.version && policy.weightsDir === weightsDir) continue;
      this.options.logger?.info(`trainer external: resuming policy "${id}" at version ${p.version} (${weightsDir})`);
      if (this.options.reloadCommand !== undefined) {
        const argv = fillPlaceholders(this.options.reloadCommand, { weights: weightsDir, version: String(p.version), policy: id });
        const res = await runExternalCommand(argv, { cwd: this.options.cwd, timeoutMs: this.options.reloadTimeoutS * 1000, logger: this.options.logger, label: `reload ${id}` });
        if (res.exitCode !== 0) throw new MappaError(`reload command for policy "${id}" failed on resume: \`${argv.join(' ')}\` (${res.tail.at(-1) ?? 'no output'})`);
        policy.setServedWeights(weightsDir, p.version);
      } else {
        await policy.loadWeights(weightsDir, p.version);
      }
    }
  }

  #relative(p: string): string {
    const rel = relative(this.options.runDir, p);
    return rel.startsWith('..') || isAbsolute(rel) ? p : rel;
  }
}

function hasWeights(dir: string): boolean {
  if (existsSync(join(dir, 'adapter_config.json'))) return true;
  return existsSync(join(dir, 'config.json')) && (existsSync(join(dir, 'model.safetensors')) || existsSync(join(dir, 'model.safetensors.index.json')));
}

/** Per-agent numbers the trainer reported in `<out>/mappa_trainer.json` (`{metrics: {agent: {name: number}}}`), if any. */
async function readTrainerMetrics(outDir: string, logger: Logger | undefined): Promise<Record<string, Record<string, number>>> {
  const file = join(outDir, 'mappa_trainer.json');
  if (!existsSync(file)) return {};
  try {
    const raw = JSON.parse(await readFile(file, 'utf8')) as { metrics?: Record<string, Record<string, unknown>> };
    const out: Record<string, Record<string, number>> = {};
    for (const [agent, m] of Object.entries(raw.metrics ?? {})) {
      out[agent] = Object.fromEntries(Object.entries(m).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
    }
    return out;
  } catch (err) {
    logger?.warn(`trainer external: ignoring unreadable ${file} (${(err as Error).message}); the step's metrics lack the trainer's own numbers`);
    return {};
  }
}
