// The dsbench environment's contract with coaches: the facts it puts in every coach input's `extras`
// (`DsbenchCoachFacts`, also as the zod schema `DsbenchCoachFactsSchema`, with `parseDsbenchCoachFacts` to check them
// once where a coach reads them; documented in docs/dsbench.md), and the pipeline vocabulary (stages, the artifacts each stage must save, task types, parsed
// Python errors) coaches need to read them. Coaches import this module only, never the environment's other files
// (test/layering.test.ts checks it).
export { DsbenchCoachFactsSchema, parseDsbenchCoachFacts, type DsbenchCoachFacts } from './dsbenchCoachFacts.js';
export {
  DSBENCH_STAGES,
  STAGE_LABELS,
  REQUIRED_ARTIFACTS,
  stageOf,
  artifactOwner,
  missingArtifacts,
  upstreamStages,
  type DsbenchStage,
  type RequiredArtifact,
} from './stages.js';
export { targetColumns, type TaskType } from './DsbenchTaskMeta.js';
export type { ExecutionError } from './pythonErrors.js';
/** The environment's own code-block reader, so a coach counts exactly the blocks the environment ran. */
export { extractCodeBlocks } from '../code-sandbox/extractCodeBlocks.js';
