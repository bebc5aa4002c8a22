import { afterAll } from 'vitest';
import { createBiasMonitorCoach } from '../../coaches/bias/biasMonitorPlugin.js';
import { createConstantCoach } from '../../coaches/constant/constantCoachPlugin.js';
import { createEnsembleCoach } from '../../coaches/ensemble/ensembleCoachPlugin.js';
import { createOutcomeCoach } from '../../coaches/outcome/outcomeCoachPlugin.js';
import { describeCoachConformance } from '../conformance/coachConformance.js';
import { startFakeServer } from '../fakes/fakeOpenAIServer.js';
import { providerReply, type FakeProvider } from '../fakes/fakeProviderResponses.js';
import { makeCoach } from './coachFixtures.js';
import { sampleEpisode } from './coachTestDoubles.js';

// One loopback server speaking all three wire protocols (chosen by the request path).
const server = startFakeServer((req) => {
  const provider: FakeProvider = req.path.includes(':generateContent') ? 'gemini' : req.path.includes('/messages') ? 'anthropic' : 'openai';
  return providerReply(provider, 'The verifier is right.\nPROCESS_SCORE: 7\nANSWER_CORRECT: 1');
});
afterAll(async () => (await server).close());

for (const provider of ['openai', 'anthropic', 'gemini'] as const) {
  describeCoachConformance(provider, { create: async () => makeCoach(provider, (await server).url), deterministic: true });
}
describeCoachConformance('constant', { create: async () => createConstantCoach({ score: 4 }), deterministic: true });
describeCoachConformance('outcome', { create: async () => createOutcomeCoach(), episode: sampleEpisode({ success: true, correct: false, metrics: {} }) });
describeCoachConformance('ensemble', {
  create: async () => createEnsembleCoach({ members: [createConstantCoach({ score: 2 }), await makeCoach('openai', (await server).url)], aggregate: 'median' }),
  deterministic: true,
});
describeCoachConformance('bias-monitor', {
  create: async () => createBiasMonitorCoach({ coach: await makeCoach('gemini', (await server).url), normalize: 'agent' }),
  deterministic: true,
});
describeCoachConformance('bias-monitor (episode scope)', {
  create: async () => createBiasMonitorCoach({ coach: createOutcomeCoach() }),
  episode: sampleEpisode({ success: false, metrics: {} }),
});
