// Public API of the trainers, re-exported by the package entry (index.ts).
export * from './math/index.js';
export { learningRate, type LrSchedule } from './runtime/learningRate.js';
export { sftTrain, SftTrainOptionsSchema, type SftTrainOptions, type SftTrainResult, type SftStepInfo } from './sft/sftTrain.js';
export { createReinforcePPTrainer, reinforcePPTrainerPlugin } from './reinforce-pp/reinforcePPTrainerPlugin.js';
export { createReinforcePPBaselineTrainer, reinforcePPBaselineTrainerPlugin } from './reinforce-pp/reinforcePPBaselineTrainerPlugin.js';
export { ReinforcePPConfig, ReinforcePPBaselineConfig } from './reinforce-pp/reinforcePPConfig.js';
export { createGrpoTrainer, grpoTrainerPlugin, GrpoConfig } from './grpo/grpoTrainerPlugin.js';
export { createSftTrainer, sftTrainerPlugin, SftConfig } from './sft/sftTrainerPlugin.js';
export { createExternalTrainer, externalTrainerPlugin } from './external/externalTrainerPlugin.js';
export { ExternalTrainerConfig } from './external/externalTrainerConfig.js';
export { writeMappaRlBatch, experienceRecord, type MappaRlBatchInput } from './external/writeMappaRlBatch.js';
