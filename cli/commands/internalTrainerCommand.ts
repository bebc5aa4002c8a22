import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import type { RunContext } from '../../core/contracts/RunContext.js';
import { PluginFactory } from '../../core/plugins/PluginFactory.js';
import { TrainerHost } from '../../core/runner/TrainerHost.js';
import type { UpdateRequest } from '../../core/runner/UpdateExecutor.js';
import { createLogger } from '../../core/util/createLogger.js';
import { MappaError } from '../../core/util/MappaError.js';
import { loadPipelineFromRunDir } from '../loadPipelineForCli.js';

/** Requests of `childProcessUpdateExecutor`, answered in order over the IPC channel. */
export type TrainerRequest =
  | { readonly type: 'init'; readonly policyIds: readonly string[]; readonly weightsDir: string; readonly trainerStateDir?: string }
  | { readonly type: 'step'; readonly request: UpdateRequest; readonly outDir: string }
  | { readonly type: 'save'; readonly dir: string }
  | { readonly type: 'exit' };

export type TrainerReply =
  | { readonly type: 'ok'; readonly metrics?: Record<string, Record<string, number>>; readonly seconds?: number; readonly policyIds?: string[] }
  | { readonly type: 'error'; readonly message: string; readonly hint?: string }
  | { readonly type: 'log'; readonly line: string };

/**
 * Hidden: the trainer process of `run.overlap: one-step` (started by `mappa train`). Holds its own TensorFlow.js and
 * copies of the trained policies; trains on the steps the parent sends and writes the new weights for it to load.
 */
export function registerInternalTrainerCommand(program: Command): void {
  program
    .command('internal-trainer', { hidden: true })
    .requiredOption('--run-dir <dir>')
    .action(async (opts: { runDir: string }) => {
      const send = (msg: TrainerReply) => process.send?.(msg);
      if (!process.send) throw new MappaError('internal-trainer is started by `mappa train` (run.overlap: one-step), with an IPC channel');
      // Ctrl-C reaches the whole process group; the parent decides when this process stops.
      process.on('SIGINT', () => undefined);
      // The IPC channel closes when the parent dies (even by SIGKILL): stop at once rather than train on.
      process.on('disconnect', () => {
        process.stderr.write('trainer process: the parent process is gone; exiting\n');
        process.exit(1);
      });
      const { pipeline } = await loadPipelineFromRunDir(opts.runDir);
      const spec = pipeline.spec;
      const run: RunContext = {
        runDir: resolve(opts.runDir),
        cacheDir: isAbsolute(spec.run.cacheDir) ? spec.run.cacheDir : resolve(pipeline.baseDir, spec.run.cacheDir),
        baseDir: pipeline.baseDir,
        seed: spec.seed,
        signal: new AbortController().signal,
      };
      // Warnings of the trainer (skipped updates, recomputed log-probs) go to the parent's run log.
      const logger = createLogger({ level: 'warn', write: (line) => send({ type: 'log', line }) });
      const plugins = new PluginFactory(pipeline.registry, run, logger);
      let host: TrainerHost | undefined;
      const handle = async (msg: TrainerRequest): Promise<TrainerReply | 'exit'> => {
        switch (msg.type) {
          case 'init':
            host = await TrainerHost.create({ pipeline, plugins, run, policyIds: msg.policyIds, weightsDir: msg.weightsDir, trainerStateDir: msg.trainerStateDir });
            return { type: 'ok' };
          case 'step': {
            if (!host) throw new MappaError('step before init');
            const r = await host.step(msg.request, msg.outDir);
            return { type: 'ok', metrics: r.metrics as Record<string, Record<string, number>>, seconds: r.seconds, policyIds: r.policyIds };
          }
          case 'save':
            if (!host) throw new MappaError('save before init');
            await host.saveState(msg.dir);
            return { type: 'ok' };
          case 'exit':
            return 'exit';
        }
      };
      await new Promise<void>((done) => {
        let chain = Promise.resolve();
        process.on('message', (msg: TrainerRequest) => {
          chain = chain.then(async () => {
            try {
              const reply = await handle(msg);
              if (reply === 'exit') {
                await host?.dispose();
                done();
                return;
              }
              send(reply);
            } catch (err) {
              const e = err as Error & { hint?: string };
              send({ type: 'error', message: e.message ?? String(err), ...(e.hint ? { hint: e.hint } : {}) });
            }
          });
        });
      });
      process.removeAllListeners('disconnect');
      process.disconnect();
    });
}
