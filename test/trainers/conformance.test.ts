import { createGrpoTrainer } from '../../plugins/trainers/grpo/grpoTrainerPlugin.js';
import { createReinforcePPBaselineTrainer } from '../../plugins/trainers/reinforce-pp/reinforcePPBaselineTrainerPlugin.js';
import { createReinforcePPTrainer } from '../../plugins/trainers/reinforce-pp/reinforcePPTrainerPlugin.js';
import { createSftTrainer } from '../../plugins/trainers/sft/sftTrainerPlugin.js';
import { describeTrainerConformance } from '../conformance/trainerConformance.js';
import { contrastBatch, tinyLm } from './trainerTestKit.js';

const batches = async () => [contrastBatch('solver', await tinyLm({ id: 'a' })), contrastBatch('verifier', await tinyLm({ id: 'b', seed: 5 }))];

describeTrainerConformance('reinforce++', { create: async () => ({ trainer: await createReinforcePPTrainer({ lr: 0.01 }), batches: await batches() }) });
describeTrainerConformance('reinforce++-baseline', {
  create: async () => ({ trainer: await createReinforcePPBaselineTrainer({ lr: 0.01 }), batches: await batches() }),
});
describeTrainerConformance('grpo', { create: async () => ({ trainer: await createGrpoTrainer({ lr: 0.01, estimator: 'rloo' }), batches: await batches() }) });
describeTrainerConformance('sft', { create: async () => ({ trainer: await createSftTrainer({ lr: 0.01 }), batches: await batches() }) });
