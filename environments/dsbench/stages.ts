/** The three roles of the DSBench pipeline, in dependency order. */
export const DSBENCH_STAGES = ['data_engineer', 'modeler', 'analyst'] as const;
export type DsbenchStage = (typeof DSBENCH_STAGES)[number];

export const STAGE_LABELS: Readonly<Record<DsbenchStage, string>> = { data_engineer: 'Data Engineer', modeler: 'Modeler', analyst: 'Analyst' };

export interface RequiredArtifact {
  /** Conventional file name, shown in warnings and rationales. */
  readonly label: string;
  /** Which file names count as this artifact (case-insensitive, like the reference's missing-file check). */
  readonly pattern: RegExp;
  readonly description: string;
}

/** What each stage must leave in the workspace for the next one (prompt and coach rubric of the paper). */
export const REQUIRED_ARTIFACTS: Readonly<Record<DsbenchStage, readonly RequiredArtifact[]>> = {
  data_engineer: [
    { label: 'X_train.pkl', pattern: /x_?train/i, description: 'preprocessed training features' },
    { label: 'y_train.pkl', pattern: /y_?train/i, description: 'training labels' },
    { label: 'X_test.pkl', pattern: /x_?test/i, description: 'preprocessed test features' },
  ],
  modeler: [{ label: 'model.pkl', pattern: /model/i, description: 'trained model' }],
  analyst: [{ label: 'submission.csv', pattern: /^submission\.csv$/i, description: 'predictions for test.csv' }],
};

/** Files a stage usually writes besides its required artifacts (fitted transformers, …), for blame on a missing file. */
const OTHER_OUTPUTS: ReadonlyArray<readonly [DsbenchStage, RegExp]> = [
  ['data_engineer', /scaler|encoder|imputer|transformer|preprocess|feature|columns|test_df|train_df|test_ids/i],
  ['modeler', /clf|classifier|regressor|estimator|pipeline/i],
  ['analyst', /prediction|preds/i],
];

/**
 * The stage of an agent: an explicit mapping wins, then keywords in the agent's id and role
 * (`analyst`, `model…`, `engineer`/`data`). `undefined` for agents outside the three roles.
 */
export function stageOf(agent: { readonly id: string; readonly role: string }, overrides?: Readonly<Record<string, DsbenchStage>>): DsbenchStage | undefined {
  const explicit = overrides?.[agent.id];
  if (explicit) return explicit;
  const text = `${agent.id} ${agent.role}`.toLowerCase();
  if (text.includes('analyst')) return 'analyst';
  if (text.includes('model')) return 'modeler';
  if (text.includes('engineer') || text.includes('data')) return 'data_engineer';
  return undefined;
}

/** The stage whose job it is to produce a file with this name, if any. */
export function artifactOwner(file: string): DsbenchStage | undefined {
  const name = file.split('/').pop() ?? file;
  for (const stage of DSBENCH_STAGES) if (REQUIRED_ARTIFACTS[stage].some((a) => a.pattern.test(name))) return stage;
  for (const [stage, re] of OTHER_OUTPUTS) if (re.test(name)) return stage;
  return undefined;
}

/** Required artifacts of a stage that no file in `files` provides. */
export function missingArtifacts(stage: DsbenchStage, files: readonly string[]): RequiredArtifact[] {
  const names = files.map((f) => f.split('/').pop() ?? f);
  return REQUIRED_ARTIFACTS[stage].filter((a) => !names.some((n) => a.pattern.test(n)));
}

/**
 * The warning the reference pipeline appends to the Analyst's file list when no file name contains `x_test`/`xtest`
 * or `model`; `undefined` when both are present.
 */
export function missingArtifactWarning(files: readonly string[], submissionFile = 'submission.csv'): string | undefined {
  const missing = [...missingArtifacts('data_engineer', files).filter((a) => a.label === 'X_test.pkl'), ...missingArtifacts('modeler', files)];
  if (missing.length === 0) return undefined;
  return [
    '⚠️ WARNING: CRITICAL FILES MISSING:',
    ...missing.map((a) => `  - ${a.label} (${a.description})`),
    `You cannot create ${submissionFile} without these files!`,
  ].join('\n');
}

/** Stages before this one. */
export function upstreamStages(stage: DsbenchStage): DsbenchStage[] {
  return DSBENCH_STAGES.slice(0, DSBENCH_STAGES.indexOf(stage));
}
