import { afterAll, describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { agentPrompt, conversationBefore } from '../../plugins/exporters/shared/conversationBefore.js';
import { cleanTempDirs, readEpisodes, runTinyRun } from './exportKit.js';
import { KNOWN, knownEpisodes } from './knownRun.js';

afterAll(cleanTempDirs);

describe('conversationBefore', () => {
  it('gives back exactly the messages the policy was called with, on a real run (the fake policy\'s context ids are its messages\' text)', async () => {
    const { runDir } = await runTinyRun({ run: { steps: 1, tasksPerStep: 3, samplesPerTask: 2, concurrency: 4, eval: { every: 0 }, checkpointEvery: 0, report: false } });
    const episodes = await readEpisodes(runDir, 'train-');
    let multiTurn = 0;
    for (const ep of episodes) {
      for (const a of ep.actions) {
        const messages = conversationBefore(ep, a);
        expect(Array.from(messages.map((m) => m.content).join('\n'), (c) => c.charCodeAt(0))).toEqual(a.contextIds);
        if (a.turnIndex > 0) {
          multiTurn++;
          expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
          expect(messages[2]!.content).toBe('<tool_response>ran</tool_response>');
        }
      }
    }
    expect(multiTurn).toBeGreaterThan(0);
  });

  it('rebuilds what the agent saw from its recorded prompt, earlier actions and tool outputs', () => {
    const ep = knownEpisodes()[1]!;
    expect(conversationBefore(ep, ep.actions[2]!)).toEqual([
      { role: 'user', content: KNOWN.coderPrompt },
      { role: 'assistant', content: 'RUN(print(2+2))' },
      { role: 'user', content: KNOWN.tool },
    ]);
    const asTool = { ...ep, actions: ep.actions.map((a) => (a.toolOutput ? { ...a, toolOutputRole: 'tool' as const } : a)) };
    expect(conversationBefore(asTool, asTool.actions[2]!)[2]).toEqual({ role: 'tool', content: KNOWN.tool });
  });

  it('recovers the prompt of runs recorded before turns kept it, and flags a chat-template context as inexact', () => {
    const ep = knownEpisodes()[0]!;
    const old: EpisodeRecord = { ...ep, turns: ep.turns.map(({ prompt: _p, ...t }) => t) };
    expect(agentPrompt(old, 'coder')).toEqual({ text: KNOWN.coderPrompt, exact: true });
    expect(conversationBefore(old, old.actions[2]!)).toEqual(conversationBefore(ep, ep.actions[2]!));
    const templated: EpisodeRecord = {
      ...old,
      actions: old.actions.map((a) => (a.agentId === 'solver' ? { ...a, inputText: '<|im_start|>user\nSolve 2+2<|im_end|>\n<|im_start|>assistant\n' } : a)),
    };
    expect(agentPrompt(templated, 'solver')).toEqual({ text: '<|im_start|>user\nSolve 2+2<|im_end|>\n<|im_start|>assistant\n', exact: false });
  });
});
