// Each plugin runs the SDK's conformance suite of its kind, plus a few checks of its own.
import { describe, expect, it } from 'vitest';
import {
  agentSpec,
  createPluginInstance,
  describeCoachConformance,
  describeEnvironmentConformance,
  describeTaskSourceConformance,
  sampleCoachInput,
} from '@mappa/sdk/testing';
import { answerFormatCoach, sentenceTasks, wordCountEnvironment } from '../src/index.js';

describeEnvironmentConformance('word-count', {
  create: () => createPluginInstance(wordCountEnvironment),
  task: { id: 't', split: 'test', prompt: 'the lazy dog', groundTruth: 3, metadata: {} },
  agents: [agentSpec({ id: 'counter' })],
  plainAction: '3',
  correctOutput: '3',
});

describeCoachConformance('answer-format', {
  create: () => createPluginInstance(answerFormatCoach),
  input: sampleCoachInput({ extras: { answer: 3, bare: true }, groundTruth: 3 }),
  deterministic: true,
});

describeTaskSourceConformance('sentences', { create: () => createPluginInstance(sentenceTasks, { count: 10 }), splits: ['train', 'test'] });

describe('answer-format', () => {
  it('prefers a bare right number over prose, and prose over a wrong count', async () => {
    const coach = await createPluginInstance(answerFormatCoach);
    const score = async (extras: Record<string, unknown>) => (await coach.evaluate(sampleCoachInput({ extras, groundTruth: 3 }))).score;
    expect(await score({ answer: 3, bare: true })).toBe(10);
    expect(await score({ answer: 3, bare: false })).toBe(6);
    expect(await score({ answer: 4, bare: true })).toBe(5);
    expect(await score({ answer: null, bare: false })).toBe(0);
  });
});
