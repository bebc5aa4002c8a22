import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Environment, EpisodeContext, EpisodeEnvironment } from '../../core/contracts/Environment.js';
import type { Sandbox } from '../../core/contracts/Sandbox.js';
import type { Task } from '../../core/model/Task.js';
import { MappaError } from '../../core/util/MappaError.js';
import { FileTracker } from '../code-sandbox/FileTracker.js';
import type { DsbenchEnvironmentSettings } from './DsbenchEnvironmentConfig.js';
import { DsbenchEpisode } from './DsbenchEpisode.js';
import { isDsbenchTaskFiles, type DsbenchTaskMetadata } from './DsbenchTaskMeta.js';
import { DSB_HELPER_FILE, DSB_HELPER_SOURCE } from './helperModule.js';
import { openDsbenchWorkspace } from './openDsbenchWorkspace.js';

function taskMetadata(task: Task): DsbenchTaskMetadata {
  const m = task.metadata as Partial<DsbenchTaskMetadata>;
  const missing = (['taskType', 'metric', 'target', 'idColumn'] as const).filter((k) => m[k] === undefined);
  if (missing.length > 0) {
    throw new MappaError(`DSBench task ${task.id} lacks metadata: ${missing.join(', ')}`, { hint: 'load tasks with the dsbench task source (tasks: { use: dsbench })' });
  }
  return m as DsbenchTaskMetadata;
}

/**
 * The DSBench data-science environment: per episode a sandbox workspace holding the task's train/test CSVs (never the
 * answers), Python code blocks run in it, every file attributed to the agent and action that wrote it, and the
 * submission graded on the host against the hidden answers.
 */
export class DsbenchEnvironment implements Environment {
  readonly name = 'dsbench';

  constructor(private readonly o: DsbenchEnvironmentSettings & { readonly sandbox: Sandbox }) {}

  async createEpisode(task: Task, context: EpisodeContext): Promise<EpisodeEnvironment> {
    const files = task.groundTruth;
    if (!isDsbenchTaskFiles(files)) {
      throw new MappaError(`task ${task.id} has no DSBench files`, { hint: 'load tasks with the dsbench task source (tasks: { use: dsbench })' });
    }
    const meta = taskMetadata(task);
    // Only the files agents are allowed to see; the answer file stays on the host.
    const seed: Record<string, Uint8Array> = {
      'train.csv': await readFile(files.trainFile),
      'test.csv': await readFile(files.testFile),
    };
    if (this.o.copySampleSubmission && files.sampleSubmissionFile) seed['sample_submission.csv'] = await readFile(files.sampleSubmissionFile);
    if (this.o.helperModule) seed[DSB_HELPER_FILE] = Buffer.from(DSB_HELPER_SOURCE);
    const ws = await openDsbenchWorkspace(this.o.sandbox, seed, join(context.workDir, 'workspace'), this.o.fetchFiles);
    try {
      const tracker = new FileTracker(ws.hostDir);
      await tracker.baseline('environment');
      return new DsbenchEpisode(meta, files, ws, tracker, this.o);
    } catch (err) {
      await ws.close();
      throw err;
    }
  }

  async dispose(): Promise<void> {
    await this.o.sandbox.dispose?.();
  }
}
