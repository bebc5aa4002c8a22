import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/contracts/Logger.js';
import type { Policy } from '../core/contracts/Policy.js';
import type { UpdateExecutor, UpdateResult } from '../core/runner/UpdateExecutor.js';
import { MappaError } from '../core/util/MappaError.js';
import { packageRoot } from '../core/util/packageRoot.js';
import { safePathSegment } from '../core/util/safePathSegment.js';
import type { TrainerReply, TrainerRequest } from './commands/internalTrainerCommand.js';

interface Waiting {
  readonly what: string;
  readonly resolve: (reply: Extract<TrainerReply, { type: 'ok' }>) => void;
  readonly reject: (err: Error) => void;
}

/**
 * `run.overlap: one-step` for `mappa train`: the updates run in a `mappa internal-trainer` child process with its own
 * TensorFlow.js (so on the other CPU core, and with its own copy of the optional native matmul addon), while this
 * process rolls out. Weights travel through `RUN_DIR/work/trainer-process/` (lossless `save`/`load`, which also carry
 * the policy version); requests and replies through the IPC channel, answered in order.
 */
export function childProcessUpdateExecutor(o: { runDir: string; logger: Logger }): UpdateExecutor {
  const root = join(o.runDir, 'work', 'trainer-process');
  let child: ChildProcess | undefined;
  let policies: ReadonlyMap<string, Policy> | undefined;
  const waiting: Waiting[] = [];
  let stderrTail = '';
  let gone: Error | undefined;

  const request = (msg: TrainerRequest, what: string) =>
    new Promise<Extract<TrainerReply, { type: 'ok' }>>((resolve, reject) => {
      if (gone || !child?.connected) return reject(gone ?? new MappaError(`the trainer process is not running (${what})`));
      waiting.push({ what, resolve, reject });
      child.send(msg);
    });

  return {
    concurrent: true,
    async start(s) {
      policies = s.policies;
      const weightsDir = join(root, 'initial');
      await rm(root, { recursive: true, force: true });
      for (const id of s.trained) await s.policies.get(id)!.save!(join(weightsDir, safePathSegment(id, 'policy id')), { exact: true });
      await mkdir(join(root, 'updated'), { recursive: true });
      const proc = fork(join(packageRoot(), 'bin', 'mappa.js'), ['internal-trainer', '--run-dir', o.runDir], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
        execArgv: [],
        env: { ...process.env, MAPPA_TRAINER_CHILD: '1' },
      });
      child = proc;
      proc.stderr?.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-4000)));
      proc.on('message', (msg: TrainerReply) => {
        if (msg.type === 'log') return o.logger.warn(`trainer process: ${msg.line}`);
        const w = waiting.shift();
        if (!w) return o.logger.error(`trainer process: unexpected reply ${JSON.stringify(msg).slice(0, 200)}`);
        if (msg.type === 'ok') w.resolve(msg);
        else w.reject(new MappaError(`${w.what} failed in the trainer process: ${msg.message}`, msg.hint ? { hint: msg.hint } : {}));
      });
      proc.on('exit', (code, signal) => {
        const tail = stderrTail.trim().split('\n').slice(-5).join(' | ');
        gone = new MappaError(`the trainer process exited (${signal ?? `exit ${code}`})${tail ? `: ${tail}` : ''}`, {
          hint: 'logs/run.log has the run; rerun with run.overlap: off to train in this process',
        });
        for (const w of waiting.splice(0)) w.reject(new MappaError(`${w.what}: ${gone.message}`, { hint: 'logs/run.log has the run; rerun with run.overlap: off to train in this process' }));
      });
      proc.on('error', (err) => o.logger.error(`trainer process: ${err.message}`));
      await request({ type: 'init', policyIds: s.trained, weightsDir, ...(s.trainerStateDir ? { trainerStateDir: s.trainerStateDir } : {}) }, 'starting the trainer');
    },
    submit(r) {
      const outDir = join(root, 'updated');
      const reply = request({ type: 'step', request: r, outDir }, `the update of step ${r.step}`);
      // Not waited for until the runner's next rollouts are done; a failure surfaces at wait().
      reply.catch(() => undefined);
      let result: Promise<UpdateResult> | undefined;
      return {
        step: r.step,
        wait: () =>
          (result ??= reply.then(async (ok) => {
            // Between steps: no rollout is using the weights while they change.
            for (const id of ok.policyIds ?? []) await policies!.get(id)!.load!(join(outDir, safePathSegment(id, 'policy id')));
            return { metrics: ok.metrics ?? {}, seconds: ok.seconds ?? 0 };
          })),
      };
    },
    async saveState(dir) {
      await request({ type: 'save', dir }, 'saving the trainer state');
    },
    async close() {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((done) => proc.once('exit', () => done()));
      // An update in flight is abandoned: nothing in the trainer process outlives it.
      if (waiting.length > 0 || !proc.connected) proc.kill('SIGKILL');
      else proc.send({ type: 'exit' } satisfies TrainerRequest);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      await rm(root, { recursive: true, force: true });
    },
  };
}
