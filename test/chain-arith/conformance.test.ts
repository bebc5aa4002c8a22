import { createChainArithRuleCoach } from '../../coaches/chain-arith-rule/chainArithRuleCoachPlugin.js';
import { coachInputsFromEpisode } from '../../coaches/hindsight/coachInputsFromEpisode.js';
import { createHindsightCoach } from '../../coaches/hindsight/hindsightCoachPlugin.js';
import { createNoisyCoach } from '../../coaches/noisy/noisyCoachPlugin.js';
import { chainValues } from '../../environments/chain-arith/chainArithmetic.js';
import { createChainArithEnvironment } from '../../environments/chain-arith/chainArithEnvironmentPlugin.js';
import { describeCoachConformance } from '../conformance/coachConformance.js';
import { agentSpec, describeEnvironmentConformance } from '../conformance/environmentConformance.js';
import { chainEpisode } from './chainEpisode.js';

const metadata = { start: '407', operands: [3, 5], modulus: 10, stages: 2 };
describeEnvironmentConformance('chain-arith', {
  create: async () => createChainArithEnvironment(),
  task: { id: 'train-0', split: 'train', prompt: '407 +3 +5', groundTruth: chainValues('407', [3, 5], 10).at(-1), metadata },
  agents: [agentSpec({ id: 'a1' }), agentSpec({ id: 'a2', reads: ['a1'] })],
  plainAction: '730',
  correctOutput: chainValues('407', [3, 5], 10).at(-1)!,
});

const episode = chainEpisode({ start: '100', operands: [1, 2, 3], texts: ['211', '488?', '711'], correct: false });
const input = coachInputsFromEpisode(episode)[1]!;
describeCoachConformance('chain-arith-rule', { create: async () => createChainArithRuleCoach(), input, deterministic: true });
describeCoachConformance('noisy', { create: async () => createNoisyCoach({ coach: createChainArithRuleCoach(), rate: 0.5, runSeed: 3 }), input, deterministic: true });
describeCoachConformance('hindsight', { create: async () => createHindsightCoach({ judge: createChainArithRuleCoach() }), episode });
