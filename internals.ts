// `@mappa/sdk/internals`: the runner's building blocks, for tools built on mappa (bench scripts, custom runners).
// Not covered by semver before 1.0; plugins should need none of it (use `@mappa/sdk/plugin`).
import 'reflect-metadata';
export { EpisodeRunner, type EpisodeRequest } from './core/runner/EpisodeRunner.js';
export { CoachScheduler } from './core/runner/CoachScheduler.js';
export { buildExperiences, type ExperienceStats } from './core/runner/buildExperiences.js';
export { episodeMetrics } from './core/runner/episodeMetrics.js';
export { RunStore, type MetricsRow } from './core/runner/RunStore.js';
export { createRunContainer, disposeRunContainer } from './core/di/createRunContainer.js';
export { PluginFactory } from './core/plugins/PluginFactory.js';
export { agentOrder } from './core/pipeline/agentOrder.js';
export { atomicWriteFile, atomicWriteDir } from './core/util/atomicWrite.js';
export { truncateMiddle } from './core/util/truncate.js';
export { packageRoot } from './core/util/packageRoot.js';
// Where `run.overlap: one-step` runs updates (createRun's `updateExecutor`); the trainer side of a trainer process.
export type { UpdateExecutor, UpdateRequest, UpdateResult, UpdateTicket, UpdateBatch } from './core/runner/UpdateExecutor.js';
export { inProcessUpdateExecutor } from './core/runner/inProcessUpdateExecutor.js';
export { TrainerHost } from './core/runner/TrainerHost.js';
