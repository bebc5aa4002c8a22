import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ActionRecord } from '../../core/model/Action.js';
import type { EpisodeRecord } from '../../core/model/Episode.js';

const ids = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

function action(o: { index: number; agentId: string; turnIndex: number; inputText: string; contextIds: number[]; text: string; score: number; toolOutput?: string }): ActionRecord {
  const actionIds = ids(o.text);
  return {
    index: o.index,
    agentId: o.agentId,
    role: o.agentId === 'solver' ? 'Problem Solver' : 'Code Executor',
    turnIndex: o.turnIndex,
    inputText: o.inputText,
    contextIds: o.contextIds,
    text: o.text,
    actionIds,
    logprobs: actionIds.map((_, i) => -0.1 * (i + 1)),
    finishReason: 'stop',
    policyId: o.agentId,
    policyVersion: 3,
    toolCalls: [],
    toolOutput: o.toolOutput ?? '',
    ...(o.toolOutput ? { toolOutputRole: 'user' as const } : {}),
    filesWritten: [],
    extras: {},
    coach: { score: o.score, rationale: `because ${o.score}`, raw: '', coach: 'rule', flags: { repaired: false, fallback: false, cached: false } },
    timings: { generateMs: 1, toolMs: 0 },
  };
}

/**
 * A hand-made run with known values: task t0 sampled three times in step 1. The solver saw the same prompt each time
 * and scored 8, 3, 3; the coder ran a tool then answered, its first contexts equal in samples 0 and 1 (scores 6, 9)
 * and different in sample 2 (score 4); its second actions scored 2, 7, 5.
 */
export const KNOWN = {
  solverPrompt: 'Solve 2+2',
  coderPrompt: 'Write code for 2+2',
  tool: '<tool_response>4</tool_response>',
  solverTexts: ['x = 4', 'x = 5', 'x = 6'],
  solverScores: [8, 3, 3],
  coderTexts: [
    ['RUN(print(4))', 'answer 4'],
    ['RUN(print(2+2))', 'answer 4!'],
    ['RUN(print(5))', 'answer 5'],
  ],
  coderScores: [
    [6, 2],
    [9, 7],
    [4, 5],
  ],
} as const;

export function knownEpisodes(): EpisodeRecord[] {
  return [0, 1, 2].map((s) => {
    const solverInput = `<user>\n${KNOWN.solverPrompt}`;
    const coderInput0 = `<user>\n${KNOWN.coderPrompt}`;
    const [c0, c1] = KNOWN.coderTexts[s]!;
    const coderInput1 = `${coderInput0}\n<assistant>\n${c0}\n<user>\n${KNOWN.tool}`;
    const actions = [
      action({ index: 0, agentId: 'solver', turnIndex: 0, inputText: solverInput, contextIds: ids(solverInput), text: KNOWN.solverTexts[s]!, score: KNOWN.solverScores[s]! }),
      action({
        index: 1,
        agentId: 'coder',
        turnIndex: 0,
        inputText: coderInput0,
        // Samples 0 and 1 share the coder's first context; sample 2 saw another one.
        contextIds: s === 2 ? [...ids(coderInput0), 33] : ids(coderInput0),
        text: c0,
        score: KNOWN.coderScores[s]![0],
        toolOutput: KNOWN.tool,
      }),
      action({ index: 2, agentId: 'coder', turnIndex: 1, inputText: coderInput1, contextIds: ids(coderInput1 + s), text: c1, score: KNOWN.coderScores[s]![1] }),
    ];
    return {
      id: `train-0001-t0-${s}`,
      step: 1,
      phase: 'train',
      taskId: 't0',
      taskMetadata: { answer: 4, category: 'arith' },
      groupId: 'train-1-t0',
      sampleIndex: s,
      seed: s,
      turns: [
        { agentId: 'solver', role: 'Problem Solver', prompt: KNOWN.solverPrompt, actions: [actions[0]!], output: actions[0]!.text },
        { agentId: 'coder', role: 'Code Executor', prompt: KNOWN.coderPrompt, actions: actions.slice(1), output: actions[2]!.text },
      ],
      actions,
      outcome: { success: true, correct: s === 0, metrics: {} },
      artifacts: [],
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 5,
    };
  });
}

export async function writeKnownRun(dir: string, episodes = knownEpisodes()): Promise<void> {
  await mkdir(join(dir, 'episodes'), { recursive: true });
  await writeFile(
    join(dir, 'config.resolved.yaml'),
    stringify({
      name: 'known',
      agents: [
        { id: 'solver', role: 'Problem Solver', train: true },
        { id: 'coder', role: 'Code Executor', train: true },
      ],
      rewards: { scale: 0.1, trainOnFallback: false, trainOnTruncated: false },
      trainer: { use: 'reinforce++' },
    }),
  );
  await writeFile(join(dir, 'episodes', 'train-step-0001.jsonl'), episodes.map((e) => JSON.stringify(e)).join('\n') + '\n');
  await writeFile(join(dir, 'episodes', 'eval-step-0001.jsonl'), JSON.stringify({ ...episodes[0]!, id: 'eval-0001-t0-0', phase: 'eval' }) + '\n');
}
