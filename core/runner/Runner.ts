import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject, injectable, optional } from 'inversify';
import type { Coach } from '../contracts/Coach.js';
import type { Environment } from '../contracts/Environment.js';
import type { Logger } from '../contracts/Logger.js';
import type { Policy, SamplingParams } from '../contracts/Policy.js';
import type { RunContext } from '../contracts/RunContext.js';
import type { TaskSource } from '../contracts/TaskSource.js';
import type { ToolSource } from '../contracts/Tool.js';
import type { AgentBatch, Trainer } from '../contracts/Trainer.js';
import { TOKENS } from '../di/tokens.js';
import type { EpisodeRecord } from '../model/Episode.js';
import type { Task } from '../model/Task.js';
import type { ResolvedPipeline } from '../pipeline/ResolvedPipeline.js';
import { atomicWriteDir } from '../util/atomicWrite.js';
import { writeSecretFree } from '../util/writeSecretFree.js';
import { TemplateEngine } from '../util/createTemplateEngine.js';
import { deriveSeed } from '../util/deriveSeed.js';
import { MappaError } from '../util/MappaError.js';
import { safePathSegment } from '../util/safePathSegment.js';
import { Rng } from '../util/Rng.js';
import { buildExperiences } from './buildExperiences.js';
import { checkpointDirName, checkpointDirsByStep } from './checkpointDirs.js';
import { verifyCheckpointManifest, writeCheckpointManifest } from './checkpointManifest.js';
import { CoachScheduler } from './CoachScheduler.js';
import { episodeMetrics } from './episodeMetrics.js';
import { EpisodeRunner } from './EpisodeRunner.js';
import type { ProgressReporter } from './ProgressReporter.js';
import type { PluginFactory } from '../plugins/PluginFactory.js';
import { warmStart } from './warmStart.js';
import { context, trace } from '@opentelemetry/api';
import { attrs, failSpan, inSpan, mappaTracer } from './tracing.js';
import type { WarmStartExecutor } from './WarmStartExecutor.js';
import type { UpdateBatch, UpdateExecutor, UpdateTicket } from './UpdateExecutor.js';
import { inProcessUpdateExecutor } from './inProcessUpdateExecutor.js';
import type { Span } from '@opentelemetry/api';
import type { MetricsRow, RunStore } from './RunStore.js';
import type { RunLoggers } from './RunLoggers.js';

export interface RunSummary {
  readonly runDir: string;
  /** Last completed training step. */
  readonly step: number;
  readonly interrupted: boolean;
  readonly metrics: readonly MetricsRow[];
}

interface RunnerState {
  readonly step: number;
  readonly seed: number;
}

const fmt = (x: number | undefined, digits = 2) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));

/**
 * The training loop. One step: pick tasks → run episodes concurrently (bounded) while the coach scores each action as
 * soon as it exists → build per-agent experiences → trainer update → metrics → evaluation on schedule → checkpoint.
 */
@injectable()
export class Runner {
  readonly #templates = new TemplateEngine();
  readonly #coach: CoachScheduler;
  readonly #episodes: EpisodeRunner;

  constructor(
    @inject(TOKENS.Pipeline) private readonly pipeline: ResolvedPipeline,
    @inject(TOKENS.Environment) environment: Environment,
    @inject(TOKENS.Coach) coach: Coach,
    @inject(TOKENS.TaskSource) private readonly taskSource: TaskSource,
    @inject(TOKENS.Policies) private readonly policies: ReadonlyMap<string, Policy>,
    @inject(TOKENS.RunStore) private readonly store: RunStore,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Progress) private readonly progress: ProgressReporter,
    @inject(TOKENS.RunContext) private readonly run: RunContext,
    @inject(TOKENS.PluginFactory) private readonly plugins: PluginFactory,
    @inject(TOKENS.Trainer) @optional() private readonly trainer?: Trainer,
    @inject(TOKENS.WarmStartExecutor) @optional() private readonly warmStartExecutor?: WarmStartExecutor,
    @inject(TOKENS.RunLoggers) @optional() private readonly loggers?: RunLoggers,
    @inject(TOKENS.ToolSources) @optional() toolSources?: ReadonlyMap<string, readonly ToolSource[]>,
    @inject(TOKENS.UpdateExecutor) @optional() private readonly updateExecutor?: UpdateExecutor,
  ) {
    const settings = pipeline.spec.run;
    this.#coach = new CoachScheduler(coach, settings.coachConcurrency, logger);
    this.#episodes = new EpisodeRunner({
      environment,
      policies,
      agents: pipeline.agents,
      templates: this.#templates,
      coach: this.#coach,
      logger,
      workRoot: join(run.runDir, 'work'),
      keepWorkDirs: settings.keepWorkDirs,
      toolOutputLimit: settings.toolOutputLimit,
      ...(toolSources ? { toolSources } : {}),
    });
  }

  /** A finished row goes to every metrics logger (console, metrics.jsonl, trackers); without loggers, to metrics.jsonl. */
  async #logRow(row: MetricsRow): Promise<void> {
    if (this.loggers) await this.loggers.log(row.step, row);
    else await this.store.appendMetrics(row);
  }

  get episodeRunner(): EpisodeRunner {
    return this.#episodes;
  }

  /** Tasks for a training step: the train split reshuffled each epoch with a seed, so a step's tasks depend only on its number. */
  async tasksForStep(step: number, train: readonly Task[]): Promise<Task[]> {
    const per = this.pipeline.spec.run.tasksPerStep;
    const out: Task[] = [];
    const orders = new Map<number, Task[]>();
    for (let k = 0; k < per; k++) {
      const pos = (step - 1) * per + k;
      const epoch = Math.floor(pos / train.length);
      if (!orders.has(epoch)) orders.set(epoch, Rng.fromSeed(deriveSeed(this.pipeline.spec.seed, 'tasks', epoch)).shuffle(train));
      out.push(orders.get(epoch)![pos % train.length]!);
    }
    return out;
  }

  async #runEpisodes(
    label: string,
    tasks: readonly Task[],
    opts: { step: number; phase: 'train' | 'eval'; samples: number; coach: boolean; sampling?: SamplingParams },
  ): Promise<EpisodeRecord[]> {
    const requests = tasks.flatMap((task, slot) =>
      Array.from({ length: opts.samples }, (_, sample) => ({
        task,
        slot,
        step: opts.step,
        phase: opts.phase,
        sampleIndex: sample,
        seed: deriveSeed(this.pipeline.spec.seed, opts.phase, opts.step, slot, task.id, sample),
        ...(opts.sampling ? { samplingOverride: opts.sampling } : {}),
        coach: opts.coach,
        signal: this.run.signal,
      })),
    );
    let finished = 0;
    let ok = 0;
    const scoreSums = new Map<string, { s: number; n: number }>();
    const progressId = `${opts.phase}-${opts.step}`;
    this.progress.start(progressId, label, requests.length);
    const episodes = await this.#episodes.runBatch(requests, {
      concurrency: this.pipeline.spec.run.concurrency,
      signal: this.run.signal,
      onEpisode: (ep) => {
        finished++;
        if (opts.phase === 'eval' ? ep.outcome?.correct ?? ep.outcome?.success : ep.outcome?.success) ok++;
        for (const a of ep.actions) {
          if (!a.coach) continue;
          const s = scoreSums.get(a.agentId) ?? { s: 0, n: 0 };
          s.s += a.coach.score;
          s.n++;
          scoreSums.set(a.agentId, s);
        }
        const fields: Record<string, string> = { [opts.phase === 'eval' ? 'acc' : 'success']: fmt(ok / finished) };
        for (const [agent, s] of scoreSums) fields[agent] = fmt(s.s / s.n, 1);
        this.progress.update(progressId, finished, fields);
      },
    });
    this.progress.stop(progressId);
    return episodes;
  }

  /** Evaluates on the evaluation split; accuracy comes from the environment's check, never from the coach. */
  async evaluate(step: number): Promise<Record<string, number>> {
    const settings = this.pipeline.spec.run.eval;
    let tasks = await this.taskSource.tasks(settings.split);
    if (settings.tasks !== undefined) tasks = tasks.slice(0, settings.tasks);
    if (tasks.length === 0) throw new MappaError(`no tasks in evaluation split "${settings.split}"`, { hint: 'check run.eval.split and the task source' });
    const t0 = performance.now();
    const episodes = await this.#runEpisodes(`eval @${step}`, tasks, {
      step,
      phase: 'eval',
      samples: settings.samplesPerTask,
      coach: settings.coach,
      sampling: settings.sampling,
    });
    await this.store.appendEpisodes(`eval-step-${String(step).padStart(4, '0')}`, episodes);
    if (!this.run.signal.aborted) this.#surfaceFailures(`the evaluation at step ${step}`, episodes);
    return { ...episodeMetrics('eval/', episodes), 'time/eval_s': (performance.now() - t0) / 1000 };
  }

  /**
   * Logs failed episodes by cause (a warning, not only the debug log), and stops the run when every episode failed
   * for the same cause: a broken template or a dead server fails them all, and training on nothing while reporting
   * success 0 would hide it.
   */
  #surfaceFailures(label: string, episodes: readonly EpisodeRecord[]): void {
    const failed = episodes.filter((e) => e.error && e.error.kind !== 'aborted');
    if (failed.length === 0) return;
    const causes = new Map<string, number>();
    for (const e of failed) {
      const cause = `${e.error!.kind}${e.error!.agentId ? ` (agent ${e.error!.agentId})` : ''}: ${e.error!.message}`;
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
    const list = [...causes].sort((a, b) => b[1] - a[1]);
    this.logger.warn(`${label}: ${failed.length} of ${episodes.length} episodes failed: ${list.slice(0, 3).map(([c, n]) => `${c} (×${n})`).join('; ')}`);
    if (failed.length === episodes.length && list.length === 1) {
      throw new MappaError(`every episode of ${label} failed: ${list[0]![0]}`, {
        hint: 'fix the cause above (episodes/*.jsonl has each failure); nothing was trained on this step',
      });
    }
  }

  #checkpointDir(step: number): string {
    return join(this.store.checkpointsDir, checkpointDirName(step));
  }

  /** `saveTrainer` writes the trainer state (default: the run's trainer; in overlap mode, the trainer process's). */
  async #saveCheckpoint(step: number, saveTrainer = this.trainer?.saveState ? (dir: string) => this.trainer!.saveState!(dir) : undefined): Promise<void> {
    const dir = this.#checkpointDir(step);
    await atomicWriteDir(dir, async (tmp) => {
      const saved = this.#checkpointedPolicies();
      for (const id of saved) await this.policies.get(id)!.save!(join(tmp, 'policies', safePathSegment(id, 'policy id')), { exact: true });
      if (saveTrainer) {
        await mkdir(join(tmp, 'trainer'), { recursive: true });
        await saveTrainer(join(tmp, 'trainer'));
      }
      const state: RunnerState = { step, seed: this.pipeline.spec.seed };
      await writeSecretFree(join(tmp, 'runner.json'), JSON.stringify(state));
      await writeCheckpointManifest(tmp, { step, policies: saved, trainer: saveTrainer !== undefined });
    });
    await this.store.writeJson('latest-checkpoint.json', { step, dir });
    const all = checkpointDirsByStep(this.store.checkpointsDir);
    for (const old of all.slice(0, Math.max(0, all.length - this.pipeline.spec.run.keepCheckpoints))) {
      await rm(join(this.store.checkpointsDir, old), { recursive: true, force: true });
    }
  }

  /** Ids of the policies a checkpoint holds weights of (the trainable ones that can save). */
  #checkpointedPolicies(): string[] {
    return [...this.policies].filter(([, p]) => p.trainable && p.save).map(([id]) => id);
  }

  /**
   * Loads policies (and trainer state) from a checkpoint directory; returns the step it was taken at. The manifest's
   * checksums, the runner state and the presence of every policy (and trainer) folder are checked first, so a damaged
   * checkpoint or one of another pipeline is an error, never a silent partial load.
   */
  async loadCheckpoint(dir: string, withTrainer = true): Promise<number> {
    const runnerFile = join(dir, 'runner.json');
    if (!existsSync(runnerFile)) {
      throw new MappaError(`${dir} is not a checkpoint (no runner.json)`, { hint: 'checkpoints live in RUN_DIR/checkpoints/step-NNNN' });
    }
    const manifest = await verifyCheckpointManifest(dir);
    if (!manifest) this.logger.warn(`${dir} has no manifest.json (written by an older mappa): its files cannot be verified`);
    const state = readRunnerState(runnerFile, await readFile(runnerFile, 'utf8'));
    const expected = this.#checkpointedPolicies();
    const present = existsSync(join(dir, 'policies')) ? (await readdir(join(dir, 'policies'))).sort() : [];
    const missing = expected.filter((id) => !present.includes(id));
    if (missing.length > 0) {
      const none = missing.length === expected.length;
      throw new MappaError(
        `${dir}: ${missing.map((id) => `policies/${id}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing` +
          ` (this pipeline's policies: ${expected.join(', ')}; the checkpoint holds: ${present.join(', ') || 'none'})`,
        { hint: none ? 'the checkpoint belongs to another pipeline: pass the pipeline file it was trained with' : 'the checkpoint is damaged: use an earlier one' },
      );
    }
    if (withTrainer && this.trainer?.loadState && !existsSync(join(dir, 'trainer')) && (manifest?.trainer ?? true)) {
      throw new MappaError(`${dir}: the trainer/ folder is missing`, { hint: 'the checkpoint is damaged: resume from an earlier one' });
    }
    for (const id of expected) {
      const policy = this.policies.get(id)!;
      const pdir = join(dir, 'policies', safePathSegment(id, 'policy id'));
      if (!policy.load) throw new MappaError(`policy "${id}" cannot load weights from ${pdir}`);
      await policy.load(pdir);
    }
    if (withTrainer && this.trainer?.loadState && existsSync(join(dir, 'trainer'))) await this.trainer.loadState(join(dir, 'trainer'));
    return state.step;
  }

  /**
   * Trains for `run.steps` steps (or rolls out only, when `train` is false). Ctrl-C (the run signal) stops after the
   * episodes in flight finish; finished work is kept.
   */
  async train(options: { resumeFrom?: string; train?: boolean } = {}): Promise<RunSummary> {
    const spec = this.pipeline.spec;
    const doTrain = options.train !== false && this.trainer !== undefined;
    if (doTrain && this.trainer?.validate) {
      const problems = this.trainer.validate(this.policies);
      if (problems.length) throw new MappaError(`trainer ${this.trainer.name} cannot train this pipeline:\n  - ${problems.join('\n  - ')}`);
    }
    let startStep = 0;
    if (options.resumeFrom) {
      startStep = await this.loadCheckpoint(options.resumeFrom);
      await this.store.truncateAfter(startStep);
      // Cumulative coach counters (calls, tokens, cost…) continue from the checkpoint's step instead of restarting.
      const last = (await this.store.readMetrics()).filter((r) => r.step <= startStep && Object.keys(r).some((k) => k.startsWith('coach/'))).at(-1);
      if (last && this.#coach.coach.restoreStats) {
        const saved: Record<string, number> = {};
        for (const [k, v] of Object.entries(last)) if (k.startsWith('coach/') && typeof v === 'number') saved[k.slice('coach/'.length)] = v;
        this.#coach.coach.restoreStats(saved);
      }
      this.logger.info(`resumed from ${options.resumeFrom} at step ${startStep}`);
    }
    const train = await this.taskSource.tasks(spec.run.trainSplit);
    if (spec.run.steps > 0 && train.length === 0) {
      throw new MappaError(`no tasks in training split "${spec.run.trainSplit}"`, { hint: 'check run.trainSplit and the task source' });
    }
    const evalSettings = spec.run.eval;
    const interrupted = () => this.run.signal.aborted;
    let startRow: Record<string, number> = {};
    if (startStep === 0 && spec.warmStart && !interrupted()) {
      startRow = (
        await warmStart({
          pipeline: this.pipeline,
          policies: this.policies,
          plugins: this.plugins,
          run: this.run,
          logger: this.logger,
          progress: this.progress,
          ...(this.warmStartExecutor ? { executor: this.warmStartExecutor } : {}),
        })
      ).metrics;
    }
    this.progress.start('steps', doTrain ? 'training' : 'rollouts', spec.run.steps);
    this.progress.update('steps', startStep);

    if (startStep === 0 && evalSettings.atStart && !interrupted()) {
      const m = await this.evaluate(0);
      startRow = { ...startRow, ...m };
    }
    if (startStep === 0 && Object.keys(startRow).length > 0) await this.#logRow({ step: 0, ...startRow });
    if (doTrain && spec.run.overlap === 'one-step') {
      const trainerDir = options.resumeFrom ? join(options.resumeFrom, 'trainer') : undefined;
      const last = await this.#trainOverlapped(startStep, train, trainerDir && existsSync(trainerDir) ? trainerDir : undefined);
      this.progress.stop('steps');
      return { runDir: this.run.runDir, step: last, interrupted: interrupted(), metrics: await this.store.readMetrics() };
    }
    let step = startStep;
    for (step = startStep + 1; step <= spec.run.steps && !interrupted(); step++) {
      const t0 = performance.now();
      const stepSpan = mappaTracer().startSpan('mappa.step', { attributes: attrs({ 'mappa.step': step, 'mappa.pipeline': spec.name, 'mappa.seed': spec.seed }) });
      const stepCtx = trace.setSpan(context.active(), stepSpan);
      // A step that throws must still end its span (marked failed), or tracers keep it open forever.
      let stepSpanOpen = true;
      const endStepSpan = () => {
        stepSpanOpen = false;
        stepSpan.end();
      };
      try {
        const tasks = await this.tasksForStep(step, train);
        const episodes = await context.with(stepCtx, () =>
          this.#runEpisodes(`step ${step}/${spec.run.steps}`, tasks, {
            step,
            phase: 'train',
            samples: spec.run.samplesPerTask,
            coach: true,
          }),
        );
        await this.store.appendEpisodes(`train-step-${String(step).padStart(4, '0')}`, episodes);
        if (!interrupted()) this.#surfaceFailures(`step ${step}`, episodes);
        if (interrupted()) {
          this.logger.warn(`interrupted during step ${step}: ${episodes.length} finished episodes saved, step not trained`);
          step--;
          endStepSpan();
          break;
        }
        const rolloutS = (performance.now() - t0) / 1000;
        const row: Record<string, number> = { ...episodeMetrics('train/', episodes), 'time/rollout_s': rolloutS };
        row['train/coach_errors'] = this.#coach.errors;
        for (const [k, v] of Object.entries(this.#coach.coach.stats?.() ?? {})) row[`coach/${k}`] = v;
        for (const [k, v] of Object.entries((await this.#coach.coach.onStepEnd?.(step)) ?? {})) row[`coach/${k}`] = v;
        if (doTrain) {
          const { byAgent, stats } = buildExperiences(episodes, this.pipeline.agents, spec.rewards);
          for (const [k, v] of Object.entries(stats)) row[`experiences/${k}`] = v;
          const batches: AgentBatch[] = [...byAgent].map(([agentId, experiences]) => ({
            agentId,
            policy: this.policies.get(this.pipeline.agents.find((a) => a.id === agentId)!.policyId)!,
            experiences,
          }));
          const t1 = performance.now();
          let metrics: Awaited<ReturnType<Trainer['step']>>;
          try {
            metrics = await inSpan(
              'mappa.trainer_update',
              attrs({ 'mappa.step': step, 'mappa.trainer': this.trainer!.name, 'mappa.experiences': batches.reduce((n, b) => n + b.experiences.length, 0) }),
              () => this.trainer!.step(batches, { step, totalSteps: spec.run.steps, signal: this.run.signal }),
              stepCtx,
            );
          } catch (err) {
            // A trainer whose failed step changed nothing (external): checkpoint the last good step, so that
            // `--resume` continues from it even when the failure came before the first scheduled checkpoint.
            if (this.trainer!.keepsStateOnFailure && !existsSync(this.#checkpointDir(step - 1))) {
              await this.#saveCheckpoint(step - 1).catch((e: unknown) => this.logger.error(`could not checkpoint step ${step - 1} after the trainer failed: ${(e as Error).message}`));
            }
            throw err;
          }
          row['time/train_s'] = (performance.now() - t1) / 1000;
          for (const [agent, ms] of Object.entries(metrics)) for (const [k, v] of Object.entries(ms)) row[`trainer/${agent}/${k}`] = v;
        }
        const isLast = step === spec.run.steps;
        if ((evalSettings.every > 0 && step % evalSettings.every === 0) || (isLast && evalSettings.atEnd)) {
          Object.assign(row, await context.with(stepCtx, () => this.evaluate(step)));
        }
        row['time/step_s'] = (performance.now() - t0) / 1000;
        stepSpan.setAttributes(
          attrs({ 'mappa.train.success_rate': row['train/success_rate'], 'mappa.train.coach_score_mean': row['train/coach/score_mean'], 'mappa.eval.accuracy': row['eval/accuracy'] }),
        );
        endStepSpan();
        await this.#logRow({ step, ...row });
        if (doTrain && ((spec.run.checkpointEvery > 0 && step % spec.run.checkpointEvery === 0) || isLast)) await this.#saveCheckpoint(step);
        this.progress.update('steps', step, {
          success: fmt(row['train/success_rate']),
          ...(row['eval/accuracy'] !== undefined ? { eval_acc: fmt(row['eval/accuracy']) } : {}),
        });
        if (this.run.signal.aborted) break;
      } catch (err) {
        if (stepSpanOpen) failSpan(stepSpan, err);
        throw err;
      }
    }
    const last = Math.min(step, spec.run.steps);
    this.progress.stop('steps');
    return { runDir: this.run.runDir, step: last, interrupted: interrupted(), metrics: await this.store.readMetrics() };
  }
  /**
   * `run.overlap: one-step`. Step k's update is handed to the update executor (the CLI's trainer process) right after
   * step k's rollouts, and step k+1 rolls out with the weights before it meanwhile; the new weights go into the
   * rollout policies at the step boundary, never during a step, so the run is deterministic. The row of step k is
   * written once its update is in: its evaluation (on the new weights) runs while update k+1 trains. Returns the last
   * step whose row was written.
   */
  async #trainOverlapped(startStep: number, train: readonly Task[], trainerStateDir: string | undefined): Promise<number> {
    const spec = this.pipeline.spec;
    const evalSettings = spec.run.eval;
    const interrupted = () => this.run.signal.aborted;
    const executor = this.updateExecutor ?? inProcessUpdateExecutor(this.trainer!);
    if (!executor.concurrent) {
      this.logger.warn(
        'run.overlap: one-step without a trainer process (the mappa CLI starts one): each update runs in this process after the next step\'s rollouts — the same numbers, no time saved',
      );
    }
    const trained = new Set(this.pipeline.agents.filter((a) => a.train).map((a) => a.policyId));
    for (const id of trained) {
      const p = this.policies.get(id)!;
      if (executor.concurrent && (!p.trainable || !p.save || !p.load)) {
        throw new MappaError(`run.overlap: one-step: policy "${id}" cannot save and load its weights, which a trainer process needs`, {
          hint: 'overlap trains local tfjs-transformer policies; drop run.overlap for this pipeline',
        });
      }
    }
    interface Pending {
      readonly step: number;
      readonly ticket: UpdateTicket;
      readonly row: Record<string, number>;
      readonly span: Span;
      readonly ctx: ReturnType<typeof context.active>;
    }
    let pending: Pending | undefined;
    /** Step spans not ended yet: a throw ends them, marked failed (or tracers keep them open forever). */
    const openSpans = new Set<Span>();
    let done = startStep;
    let lastRowAt = performance.now();
    /** Waits for an update; its weights are then in the rollout policies. Checkpoints before the next update starts. */
    const finish = async (p: Pending) => {
      const tw = performance.now();
      const result = await p.ticket.wait();
      p.row['time/update_wait_s'] = (performance.now() - tw) / 1000;
      p.row['time/train_s'] = result.seconds;
      for (const [agent, ms] of Object.entries(result.metrics)) for (const [k, v] of Object.entries(ms)) p.row[`trainer/${agent}/${k}`] = v;
      const isLast = p.step === spec.run.steps;
      // The trainer state must be the one right after this update: the next one starts only after this returns.
      // (A crash between this checkpoint and the row below leaves the row out of metrics.jsonl on resume.)
      if ((spec.run.checkpointEvery > 0 && p.step % spec.run.checkpointEvery === 0) || isLast) await this.#saveCheckpoint(p.step, (dir) => executor.saveState(dir));
    };
    const report = async (p: Pending) => {
      const isLast = p.step === spec.run.steps;
      if (!interrupted() && ((evalSettings.every > 0 && p.step % evalSettings.every === 0) || (isLast && evalSettings.atEnd))) {
        Object.assign(p.row, await context.with(p.ctx, () => this.evaluate(p.step)));
      }
      // Steps overlap, so this is the time between two rows (the run's pace), not one step's own duration.
      p.row['time/step_s'] = (performance.now() - lastRowAt) / 1000;
      lastRowAt = performance.now();
      p.span.setAttributes(attrs({ 'mappa.train.success_rate': p.row['train/success_rate'], 'mappa.train.coach_score_mean': p.row['train/coach/score_mean'], 'mappa.eval.accuracy': p.row['eval/accuracy'] }));
      openSpans.delete(p.span);
      p.span.end();
      await this.#logRow({ step: p.step, ...p.row });
      done = p.step;
      this.progress.update('steps', p.step, {
        success: fmt(p.row['train/success_rate']),
        ...(p.row['eval/accuracy'] !== undefined ? { eval_acc: fmt(p.row['eval/accuracy']) } : {}),
      });
    };
    try {
      await executor.start({ policies: this.policies, trained: [...trained], ...(trainerStateDir ? { trainerStateDir } : {}) });
      for (let step = startStep + 1; step <= spec.run.steps && !interrupted(); step++) {
        const t0 = performance.now();
        const span = mappaTracer().startSpan('mappa.step', { attributes: attrs({ 'mappa.step': step, 'mappa.pipeline': spec.name, 'mappa.seed': spec.seed }) });
        openSpans.add(span);
        const ctx = trace.setSpan(context.active(), span);
        const tasks = await this.tasksForStep(step, train);
        const episodes = await context.with(ctx, () => this.#runEpisodes(`step ${step}/${spec.run.steps}`, tasks, { step, phase: 'train', samples: spec.run.samplesPerTask, coach: true }));
        await this.store.appendEpisodes(`train-step-${String(step).padStart(4, '0')}`, episodes);
        if (!interrupted()) this.#surfaceFailures(`step ${step}`, episodes);
        if (interrupted()) {
          this.logger.warn(`interrupted during step ${step}: ${episodes.length} finished episodes saved, step not trained`);
          openSpans.delete(span);
          span.end();
          break;
        }
        const row: Record<string, number> = { ...episodeMetrics('train/', episodes), 'time/rollout_s': (performance.now() - t0) / 1000 };
        row['train/coach_errors'] = this.#coach.errors;
        for (const [k, v] of Object.entries(this.#coach.coach.stats?.() ?? {})) row[`coach/${k}`] = v;
        for (const [k, v] of Object.entries((await this.#coach.coach.onStepEnd?.(step)) ?? {})) row[`coach/${k}`] = v;
        const previous = pending;
        pending = undefined;
        if (previous) await finish(previous);
        const { byAgent, stats } = buildExperiences(episodes, this.pipeline.agents, spec.rewards);
        for (const [k, v] of Object.entries(stats)) row[`experiences/${k}`] = v;
        const batches: UpdateBatch[] = [...byAgent].map(([agentId, experiences]) => ({
          agentId,
          policyId: this.pipeline.agents.find((a) => a.id === agentId)!.policyId,
          experiences,
        }));
        // Versions behind the weights this update starts from (every earlier update is in the policies by now).
        const lags = batches.flatMap((b) => b.experiences.map((e) => this.policies.get(b.policyId)!.version - e.policyVersion));
        if (lags.length > 0) {
          row['train/staleness_mean'] = lags.reduce((a, b) => a + b, 0) / lags.length;
          row['train/staleness_max'] = Math.max(...lags);
        }
        pending = { step, ticket: executor.submit({ step, totalSteps: spec.run.steps, batches, offPolicy: true }), row, span, ctx };
        if (previous) await report(previous);
      }
      // The last update; after Ctrl-C too, so the step whose rollouts were trained on is not lost.
      if (pending) {
        const last = pending;
        pending = undefined;
        await finish(last);
        await report(last);
      }
    } catch (err) {
      for (const span of openSpans) failSpan(span, err);
      throw err;
    } finally {
      if (pending) this.logger.warn(`the update of step ${pending.step} was abandoned; --resume continues from the last checkpoint`);
      await executor.close();
    }
    return done;
  }
}

/** Parses a checkpoint's runner.json; a step that is not a non-negative integer is an error naming the file. */
function readRunnerState(file: string, text: string): RunnerState {
  let state: Partial<RunnerState>;
  try {
    state = JSON.parse(text) as Partial<RunnerState>;
  } catch (err) {
    throw new MappaError(`${file} is not valid JSON: ${(err as Error).message}`, { hint: 'the checkpoint is damaged: use an earlier one' });
  }
  if (typeof state !== 'object' || state === null || !Number.isSafeInteger(state.step) || (state.step as number) < 0) {
    throw new MappaError(`${file}: "step" must be a non-negative integer (got ${JSON.stringify((state as { step?: unknown } | null)?.step)})`, {
      hint: 'the checkpoint is damaged: use an earlier one',
    });
  }
  return state as RunnerState;
}
