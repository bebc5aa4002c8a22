import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/util/createLogger.js';
import { startFakeServer } from '../fakes/fakeOpenAIServer.js';
import { geminiResponse, providerError, providerReply, requestTexts, scripted, type FakeProvider } from '../fakes/fakeProviderResponses.js';
import { useFakeServer } from '../fakes/useFakeServer.js';
import { makeCoach, mathInput, solverInput } from './coachFixtures.js';

// The coach on each provider's real client library against its wire protocol. Retries, timeouts, limits and key
// handling are the shared LLM caller's, tested once per provider in test/llm/llmCaller.test.ts.
describe.each<[FakeProvider, string]>([
  ['anthropic', '/v1/messages'],
  ['gemini', ':generateContent'],
  ['openai', '/v1/chat/completions'],
])('%s coach over its wire protocol', (provider, pathPart) => {
  const ok = (text: string, usage?: { input: number; output: number }) => providerReply(provider, text, usage);
  const server = useFakeServer(() => ok('PROCESS_SCORE: 5'));

  it('scores a good answer, at temperature 0, on the provider endpoint', async () => {
    server.setHandler(scripted([ok('Checked.\nPROCESS_SCORE: 8\nANSWER_CORRECT: 1', { input: 50, output: 7 })]));
    const coach = await makeCoach(provider, server.url, { system: 'You are a strict coach.' });
    const e = await coach.evaluate(mathInput());
    expect(e.score).toBe(8);
    expect(e.outcome?.value).toBe(1);
    expect(e.usage).toEqual({ inputTokens: 50, outputTokens: 7 });
    const req = server.requests[0]!;
    expect(req.path).toContain(pathPart);
    const body = req.body as Record<string, any>;
    const temperature = provider === 'gemini' ? body['generationConfig']?.['temperature'] : body['temperature'];
    expect(temperature).toBe(0);
    const system = provider === 'anthropic' ? body['system'] : provider === 'gemini' ? body['systemInstruction']?.parts?.[0]?.text : body['messages'][0].content;
    expect(system).toBe('You are a strict coach.');
    expect(requestTexts(req).join('\n')).toContain('What is 2+3?');
  });

  it('repairs a malformed answer once, then falls back when it is still malformed', async () => {
    server.setHandler(scripted([ok('PROCESS_SCORE: nine'), ok('PROCESS_SCORE: 6')]));
    const coach = await makeCoach(provider, server.url);
    const repaired = await coach.evaluate(solverInput());
    expect(repaired.score).toBe(6);
    expect(repaired.flags.repaired).toBe(true);
    const repairReq = requestTexts(server.requests[1]!);
    expect(repairReq.at(-2)).toBe('PROCESS_SCORE: nine');
    expect(repairReq.at(-1)).toContain('could not be read');

    server.requests.length = 0;
    server.setHandler(scripted([ok('no idea')]));
    const failed = await coach.evaluate(solverInput(1));
    expect(failed.flags.fallback).toBe(true);
    expect(failed.score).toBe(5);
    expect(server.requests).toHaveLength(2);
    expect(coach.stats()).toMatchObject({ repairs: 2, fallbacks: 1 });
  });

  it('asks for structured output in the provider format', async () => {
    server.setHandler(scripted([ok('{"rationale":"ok","process_score":4}')]));
    const coach = await makeCoach(provider, server.url, { structuredOutput: true });
    const e = await coach.evaluate(solverInput());
    expect(e.score).toBe(4);
    const body = server.requests[0]!.body as Record<string, any>;
    const schema =
      provider === 'anthropic'
        ? body['output_config']?.format?.schema
        : provider === 'gemini'
          ? body['generationConfig']?.responseJsonSchema
          : body['response_format']?.json_schema?.schema;
    expect(schema?.required).toEqual(['rationale', 'process_score']);
  });
});

describe('gemini thinking models', () => {
  it('parses only the answer parts, not the thoughts, and bills thought tokens', async () => {
    const server = await startFakeServer(() => ({
      body: { ...geminiResponse('PROCESS_SCORE: 6', { thought: 'Maybe PROCESS_SCORE: 2?' }), usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 4, thoughtsTokenCount: 20 } },
    }));
    try {
      const coach = await makeCoach('gemini', server.url);
      const e = await coach.evaluate(solverInput());
      expect(e.score).toBe(6);
      expect(e.flags.repaired).toBe(false);
      expect(e.usage?.outputTokens).toBe(24);
    } finally {
      await server.close();
    }
  });
});
