// The environments' coach facts contracts match what the environments really put in `extras`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentSpec, sampleAction } from '@mappa/sdk/testing';
import { CodeSandboxCoachFactsSchema } from '../../environments/code-sandbox/coachFacts.js';
import { collectMathChatFacts, MathChatFactsSchema } from '../../environments/mathchat/coachFacts.js';
import { createCodeSandboxEnvironment } from '../../environments/code-sandbox/CodeSandboxEnvironment.js';
import { CannedSandbox, finished } from '../fakes/cannedSandbox.js';

describe('coach facts contracts', () => {
  it('MathChatFactsSchema accepts every field collectMathChatFacts fills and rejects unknown keys', () => {
    const solver = sampleAction({ index: 0, agentId: 'solver', role: 'Problem Solver', text: 'So 2+3 = 5' });
    const coder = sampleAction({
      index: 1,
      agentId: 'coder',
      role: 'Code Executor',
      text: '```python\nprint(2+3)\n```',
      toolCalls: [{ tool: 'python', input: 'print(2+3)', language: 'python', status: 'ok', output: '5\n', exitCode: 0 }],
      toolOutput: '5',
    });
    const verifier = sampleAction({ index: 2, text: 'The code printed 5, so \\boxed{5}' });
    const facts = collectMathChatFacts(verifier, [solver, coder]);
    // The fixture exercises the optional fields too, so a renamed field fails here.
    expect(Object.keys(facts)).toEqual(expect.arrayContaining(['answer', 'draftAnswer', 'upstreamPrinted', 'upstreamToolResult']));
    expect(MathChatFactsSchema.parse(facts)).toEqual(facts);
    expect(MathChatFactsSchema.safeParse({ ...facts, extra: 1 }).success).toBe(false);
  });

  it('CodeSandboxCoachFactsSchema matches the code-sandbox environment\'s coach context', async () => {
    const sandbox = new CannedSandbox([finished('42\n')]);
    const env = await createCodeSandboxEnvironment({}, sandbox);
    const workDir = await mkdtemp(join(tmpdir(), 'mappa-facts-'));
    try {
      const ep = await env.createEpisode({ id: 't', split: 'train', prompt: 'p', metadata: {} }, { episodeId: 'e', seed: 1, phase: 'train', workDir, signal: new AbortController().signal });
      const agent = agentSpec({ id: 'coder', tools: ['python'] });
      const tool = await ep.executeTools(agent, { text: '```python\nprint(42)\n```', index: 0 });
      const action = sampleAction({ agentId: 'coder', toolCalls: tool!.calls, filesWritten: tool!.filesWritten });
      const extras = await ep.coachContext(agent, action, []);
      expect(CodeSandboxCoachFactsSchema.parse(extras)).toEqual(extras);
      expect(extras.codeRuns).toHaveLength(1);
      await ep.close();
    } finally {
      await env.dispose?.();
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
