import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import 'reflect-metadata';
import type { Container } from 'inversify';
import type { Logger } from '../contracts/Logger.js';
import type { RunContext } from '../contracts/RunContext.js';
import type { RunLogger } from '../contracts/RunLogger.js';
import { createRunContainer, disposeRunContainer } from '../di/createRunContainer.js';
import type { ResolvedPipeline } from '../pipeline/ResolvedPipeline.js';
import { createLogger } from '../util/createLogger.js';
import { silentProgress, type ProgressReporter } from './ProgressReporter.js';
import { Runner } from './Runner.js';
import { RunDirLock } from './RunDirLock.js';
import { RunStore } from './RunStore.js';
import type { WarmStartExecutor } from './WarmStartExecutor.js';
import type { UpdateExecutor } from './UpdateExecutor.js';
import { RunLoggers } from './RunLoggers.js';
import { PluginFactory } from '../plugins/PluginFactory.js';
import { redactSecrets } from '../util/redactSecrets.js';

export interface CreateRunOptions {
  readonly pipeline: ResolvedPipeline;
  /** Use this run directory (default: `<run.outputDir>/<name>-<timestamp>`). */
  readonly runDir?: string;
  readonly signal?: AbortSignal;
  /** Logger to use; by default one writing JSON lines to `logs/run.log` and readable lines to `logWrite`. */
  readonly logger?: Logger;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Console sink for the default logger (the CLI routes it through the progress bars). */
  readonly logWrite?: (line: string) => void;
  readonly progress?: ProgressReporter;
  /** Runs warm-start jobs (the CLI uses child processes to train policies in parallel). */
  readonly warmStartExecutor?: (run: { runDir: string }) => WarmStartExecutor;
  /**
   * Runs the updates of `run.overlap: one-step` (the CLI: a trainer process, so they overlap the rollouts); called only
   * when the pipeline asks for overlap. Default: in this process, after the next step's rollouts (same numbers).
   */
  readonly updateExecutor?: (run: { runDir: string; logger: Logger }) => UpdateExecutor;
  /** The raw pipeline object, saved for `--resume`. */
  readonly rawPipeline?: unknown;
}

export interface Run {
  readonly runner: Runner;
  readonly store: RunStore;
  readonly context: RunContext;
  readonly container: Container;
  readonly logger: Logger;
  /** Metrics loggers; `finish` them (after the report is written) to send artifacts and get what each lost. */
  readonly loggers: RunLoggers;
  dispose(): Promise<void>;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

/** Creates the run directory, the DI container with every plugin, and the Runner. */
export async function createRun(options: CreateRunOptions): Promise<Run> {
  const { pipeline } = options;
  const spec = pipeline.spec;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(pipeline.baseDir, p));
  const runDir = options.runDir ? resolve(options.runDir) : join(abs(spec.run.outputDir), `${spec.name}-${timestamp()}`);
  await mkdir(runDir, { recursive: true });
  const lock = await RunDirLock.acquire(runDir);
  try {
    return await buildRun(options, runDir, lock);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function buildRun(options: CreateRunOptions, runDir: string, lock: RunDirLock): Promise<Run> {
  const { pipeline } = options;
  const spec = pipeline.spec;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(pipeline.baseDir, p));
  const store = new RunStore(runDir);
  const logger =
    options.logger ??
    createLogger({ file: store.logFile, level: options.logLevel ?? 'info', ...(options.logWrite ? { write: options.logWrite } : {}) });
  const signal = options.signal ?? new AbortController().signal;
  // Every in-flight request (policy, coach, sandbox) listens on the run signal; many listeners are expected.
  setMaxListeners(0, signal);
  const context: RunContext = {
    runDir,
    cacheDir: abs(spec.run.cacheDir),
    baseDir: pipeline.baseDir,
    seed: spec.seed,
    signal,
  };
  await mkdir(context.cacheDir, { recursive: true });
  const resolvedConfig = { ...spec, file: pipeline.file, agents: pipeline.agents, policies: pipeline.policies };
  await store.init(resolvedConfig, options.rawPipeline ?? spec);
  const factory = new PluginFactory(pipeline.registry, context, logger);
  const runLoggers: Array<{ id: string; logger: RunLogger }> = [];
  for (const [i, ref] of spec.run.loggers.entries()) {
    runLoggers.push({ id: ref.use, logger: await factory.create('logger', ref, `run.loggers[${i}]`) });
  }
  const loggers = new RunLoggers({ loggers: runLoggers, log: logger, flushTimeoutMs: spec.run.loggerFlushTimeout * 1000 });
  await loggers.start({
    runDir,
    runName: basename(runDir),
    pipelineName: spec.name,
    config: redactSecrets(resolvedConfig) as Record<string, unknown>,
  });
  const container = createRunContainer({
    loggers,
    pipeline,
    run: context,
    logger,
    store,
    progress: options.progress ?? silentProgress,
    ...(options.warmStartExecutor ? { warmStartExecutor: options.warmStartExecutor({ runDir }) } : {}),
    ...(options.updateExecutor && spec.run.overlap === 'one-step' && spec.trainer ? { updateExecutor: options.updateExecutor({ runDir, logger }) } : {}),
  });
  const runner = await container.getAsync(Runner);
  return {
    runner,
    store,
    context,
    container,
    logger,
    loggers,
    dispose: async () => {
      try {
        // Library users who never call loggers.finish still get their trackers closed (a no-op after a finish).
        const step = (await store.readMetrics()).at(-1)?.step ?? 0;
        await loggers.finish({ status: signal.aborted ? 'interrupted' : 'finished', step, artifacts: runArtifacts(runDir) });
        await disposeRunContainer(container);
      } finally {
        await lock.release();
      }
    },
  };
}

/** Files of the run directory that trackers store as artifacts: the report (when written) and the resolved config. */
export function runArtifacts(runDir: string): Array<{ path: string; name: string }> {
  return ['report.html', 'config.resolved.yaml'].map((name) => ({ path: join(runDir, name), name })).filter((a) => existsSync(a.path));
}
