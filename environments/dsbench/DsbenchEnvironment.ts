import { readFile } from 'node:fs/promises';
import type { Environment, EpisodeContext, EpisodeEnvironment } from '../../core/contracts/Environment.js';
import type { Sandbox } from '../../core/contracts/Sandbox.js';
import type { Task } from '../../core/model/Task.js';
import { MappaError } from '../../core/util/MappaError.js';
import { BlockToolResponseFormatter } from '../code-sandbox/BlockToolResponseFormatter.js';
import { CodeToolRunner } from '../code-sandbox/CodeToolRunner.js';
import type { DsbenchEnvironmentSettings } from './DsbenchEnvironmentConfig.js';
import { DsbenchEpisode, isHiddenWorkspaceFile } from './DsbenchEpisode.js';
import { isDsbenchTaskFiles, type DsbenchTaskMetadata } from './DsbenchTaskMeta.js';
import { dsbenchToolResponseFormat } from './dsbenchToolResponseFormat.js';
import { DSB_HELPER_FILE, DSB_HELPER_SOURCE } from './helperModule.js';

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
  readonly #formatter: BlockToolResponseFormatter;

  constructor(private readonly o: DsbenchEnvironmentSettings & { readonly sandbox: Sandbox }) {
    this.#formatter = new BlockToolResponseFormatter(dsbenchToolResponseFormat(o.toolOutputChars));
  }

  async createEpisode(task: Task, _context: EpisodeContext): Promise<EpisodeEnvironment> {
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
    // The sandbox's workspace when it has one; otherwise the files travel with every run and `fetchFiles` come back.
    const code = await CodeToolRunner.open(this.o.sandbox, {
      seedFiles: seed,
      fetchFiles: this.o.fetchFiles,
      ignoreFiles: isHiddenWorkspaceFile,
      languages: ['python'],
      runTimeout: this.o.runTimeout,
      memoryLimitMb: this.o.memoryLimitMb,
      maxBlocksPerAction: this.o.maxCodeBlocksPerAction,
      stopOnError: false,
    });
    return new DsbenchEpisode(meta, files, code, this.#formatter, this.o);
  }

  async dispose(): Promise<void> {
    await this.o.sandbox.dispose?.();
  }
}
