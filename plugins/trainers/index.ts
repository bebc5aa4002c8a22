import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { externalTrainerPlugin } from './external/externalTrainerPlugin.js';
import { grpoTrainerPlugin } from './grpo/grpoTrainerPlugin.js';
import { reinforcePPBaselineTrainerPlugin } from './reinforce-pp/reinforcePPBaselineTrainerPlugin.js';
import { reinforcePPTrainerPlugin } from './reinforce-pp/reinforcePPTrainerPlugin.js';
import { sftTrainerPlugin } from './sft/sftTrainerPlugin.js';

export const trainerPlugins: AnyPluginDefinition[] = [reinforcePPTrainerPlugin, reinforcePPBaselineTrainerPlugin, grpoTrainerPlugin, sftTrainerPlugin, externalTrainerPlugin];
