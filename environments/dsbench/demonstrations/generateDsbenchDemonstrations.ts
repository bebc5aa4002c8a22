import { readFile, stat } from 'node:fs/promises';
import type { AgentSpec } from '../../../core/contracts/AgentSpec.js';
import type { Demonstration } from '../../../core/model/Demonstration.js';
import type { Task } from '../../../core/model/Task.js';
import { TemplateEngine } from '../../../core/util/createTemplateEngine.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { Rng } from '../../../core/util/Rng.js';
import { isDsbenchTaskFiles, type DsbenchTaskMetadata } from '../DsbenchTaskMeta.js';
import { stripThinkingBlocks } from '../handoffText.js';
import { DSB_HELPER_FILE, DSB_HELPER_SOURCE } from '../helperModule.js';
import { observationVars, type WorkspaceFile } from '../observationVars.js';
import { parseCsv } from '../grading/parseCsv.js';
import { DSBENCH_STAGES, stageOf, type DsbenchStage } from '../stages.js';
import { demonstrationAction, type DemoVariant } from './demonstrationProgram.js';
import { type DemonstrationRates, type DemonstrationRatesInput, DemonstrationRatesSchema } from './DemonstrationRates.js';
import { renderAgentPrompt } from '../../../core/runner/renderAgentPrompt.js';

/** One supervised example of a DSBench agent's first action. */
export interface DsbenchDemonstration extends Demonstration {
  readonly taskId: string;
  readonly turnIndex: 0;
  readonly stage: DsbenchStage;
  readonly variant: DemoVariant;
}

export interface DsbenchDemonstrationOptions {
  /** Tasks to demonstrate on (normally the training split). */
  readonly tasks: readonly Task[];
  /** The pipeline's agents in execution order (prompt files, reads, maxActions). */
  readonly agents: readonly AgentSpec[];
  /** Demonstrated episodes per task (default 25). */
  readonly perTask?: number;
  readonly rates?: DemonstrationRatesInput;
  readonly seed?: number;
  /** The environment's settings that shape the prompts. */
  readonly environment?: {
    readonly stages?: Readonly<Record<string, DsbenchStage>>;
    readonly submissionFile?: string;
    readonly copySampleSubmission?: boolean;
  };
  readonly templates?: TemplateEngine;
}

export interface DsbenchDemonstrationSet {
  readonly demonstrations: DsbenchDemonstration[];
  /** Per agent: `count` and the number of demonstrations of each variant. */
  readonly stats: Record<string, Record<string, number>>;
}

const RATE_KEYS: Readonly<Record<DsbenchStage, ReadonlyArray<readonly [string, DemoVariant]>>> = {
  data_engineer: [
    ['forgetXTest', 'forget_x_test'],
    ['fitOnTest', 'fit_on_test'],
    ['wrongTarget', 'wrong_target'],
  ],
  modeler: [
    ['fitOnTest', 'fit_on_test'],
    ['forgetModel', 'forget_model'],
  ],
  analyst: [['wrongTarget', 'wrong_target']],
};

function drawVariant(rng: Rng, stage: DsbenchStage, rates: DemonstrationRates): DemoVariant {
  const stageRates = rates[stage] as Readonly<Record<string, number>>;
  let u = rng.next();
  for (const [key, variant] of RATE_KEYS[stage]) {
    const p = stageRates[key] ?? 0;
    if (u < p) return variant;
    u -= p;
  }
  return 'correct';
}

/** Files a helper program of this stage and variant leaves in the workspace (its effect, without running it). */
function filesWritten(stage: DsbenchStage, variant: DemoVariant, present: ReadonlySet<string>): string[] {
  if (stage === 'data_engineer') return variant === 'forget_x_test' ? ['X_train.pkl', 'y_train.pkl'] : ['X_train.pkl', 'y_train.pkl', 'X_test.pkl'];
  if (stage === 'modeler') {
    const ok = present.has('X_train.pkl') && present.has('y_train.pkl');
    // fit_on_test fits X_test against y_train: the row counts differ and the code fails.
    return ok && variant === 'correct' ? ['model.pkl'] : [];
  }
  // The wrong-target variant still writes the file (an invalid one).
  return variant !== 'report_missing' && present.has('model.pkl') && present.has('X_test.pkl') ? ['submission.csv'] : [];
}

async function taskFiles(task: Task, copySample: boolean): Promise<{ files: WorkspaceFile[]; columns: string[] }> {
  const g = task.groundTruth;
  if (!isDsbenchTaskFiles(g)) throw new MappaError(`task ${task.id} is not a DSBench task`, { hint: 'load tasks with the dsbench task source' });
  const seeded: Array<[string, string | undefined]> = [
    ['train.csv', g.trainFile],
    ['test.csv', g.testFile],
    ...(copySample && g.sampleSubmissionFile ? [['sample_submission.csv', g.sampleSubmissionFile] as [string, string]] : []),
    [DSB_HELPER_FILE, undefined],
  ];
  const files = await Promise.all(
    seeded.map(async ([path, source]) => ({ path, bytes: source ? (await stat(source)).size : Buffer.byteLength(DSB_HELPER_SOURCE), writtenBy: 'environment' })),
  );
  const text = await readFile(g.trainFile, 'utf8');
  return { files, columns: parseCsv(text.slice(0, text.indexOf('\n') + 1)).header };
}

/**
 * SFT warm-start demonstrations for the three DSBench agents using the workspace's `dsb.py`: per task, `perTask`
 * demonstrated episodes, each agent's first action drawn as a correct short program or — at the configured rates — one
 * with a realistic bug (forgetting X_test.pkl, fitting on test data, the wrong target column, forgetting model.pkl).
 * Bugs flow downstream like real ones: after a Data Engineer forgot X_test.pkl, the Modeler's prompt lists what is
 * really there and the Analyst, warned, reports the missing file instead of writing code. Prompts are rendered from
 * the agents' own templates with the environment's variables, as `EpisodeRunner` renders them; file sizes of files
 * written by code are not known, so templates that use `filesList` are refused. Deterministic for a seed.
 */
export async function generateDsbenchDemonstrations(o: DsbenchDemonstrationOptions): Promise<DsbenchDemonstrationSet> {
  const rates = DemonstrationRatesSchema.parse(o.rates ?? {});
  const seed = o.seed ?? 0;
  const perTask = o.perTask ?? 25;
  const templates = o.templates ?? new TemplateEngine();
  const submissionFile = o.environment?.submissionFile ?? 'submission.csv';
  const stages = new Map<string, DsbenchStage>();
  for (const agent of o.agents) {
    const stage = stageOf(agent, o.environment?.stages);
    if (!stage) {
      throw new MappaError(`agent "${agent.id}" is not a Data Engineer, Modeler or Analyst, so there is no demonstration program for it`, {
        hint: 'name the stage in environment.stages, e.g. { stages: { ' + agent.id + ': modeler } }',
      });
    }
    if (agent.maxActions !== 1) {
      throw new MappaError(`agent "${agent.id}" has maxActions ${agent.maxActions}, but DSBench demonstrations show one code action per agent`, {
        hint: 'set maxActions: 1 for the agents of a pipeline warm-started by dsbench-demonstrations (the tool responses of later actions cannot be predicted without running the code)',
      });
    }
    const source = await readFile(agent.promptFile, 'utf8');
    if (/\bfilesList\b/.test(source)) {
      throw new MappaError(`prompt ${agent.promptFile} uses filesList, whose file sizes demonstrations cannot know`, {
        hint: 'use `files` (names only) in the prompts of agents warm-started by dsbench-demonstrations',
      });
    }
    stages.set(agent.id, stage);
  }
  for (const s of DSBENCH_STAGES) {
    if (![...stages.values()].includes(s)) throw new MappaError(`no agent plays the ${s} stage`, { hint: 'DSBench demonstrations need a Data Engineer, a Modeler and an Analyst' });
  }

  const demonstrations: DsbenchDemonstration[] = [];
  const stats: Record<string, Record<string, number>> = {};
  for (const task of o.tasks) {
    const meta = task.metadata as DsbenchTaskMetadata;
    const seeded = await taskFiles(task, o.environment?.copySampleSubmission ?? true);
    for (let k = 0; k < perTask; k++) {
      const rng = Rng.fromSeed(deriveSeed(seed, 'dsbench-demos', task.id, k));
      const files = new Map(seeded.files.map((f) => [f.path, f]));
      const outputs = new Map<string, { role: string; text: string }>();
      for (const agent of o.agents) {
        const stage = stages.get(agent.id)!;
        const upstream = agent.reads.filter((r) => outputs.has(r)).map((r) => ({ agentId: r, ...outputs.get(r)! }));
        const listed = [...files.values()].sort((a, b) => a.path.localeCompare(b.path));
        const { vars, warning } = observationVars({
          meta,
          files: listed,
          stage,
          previous: upstream.map((u) => ({ agentId: u.agentId, role: u.role, output: stripThinkingBlocks(u.text) })),
          submissionFile,
          helper: true,
        });
        const prompt = await renderAgentPrompt(templates, agent, task, Object.fromEntries(upstream.map((u) => [u.agentId, u.text])), vars);
        const names = new Set(files.keys());
        const missing = ['X_test.pkl', 'model.pkl'].filter((f) => !names.has(f));
        const variant: DemoVariant = stage === 'analyst' && warning ? 'report_missing' : drawVariant(rng, stage, rates);
        const response = demonstrationAction(stage, variant, { meta, columns: seeded.columns, helper: true, rng, missing });
        demonstrations.push({ agentId: agent.id, messages: [{ role: 'user', content: prompt }], response, taskId: task.id, turnIndex: 0, stage, variant });
        const s = (stats[agent.id] ??= { count: 0 });
        s['count'] = (s['count'] ?? 0) + 1;
        s[variant] = (s[variant] ?? 0) + 1;
        for (const path of filesWritten(stage, variant, names)) files.set(path, { path, writtenBy: agent.id });
        outputs.set(agent.id, { role: agent.role, text: response });
      }
    }
  }
  return { demonstrations, stats };
}
