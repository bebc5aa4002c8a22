import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenaiDpoExporter } from '../../plugins/exporters/openai-dpo/openaiDpo.js';
import { createOpenaiSftExporter } from '../../plugins/exporters/openai-sft/openaiSft.js';
import { createOpenrlhfExporter } from '../../plugins/exporters/openrlhf/openrlhf.js';
import { createTrlPreferenceExporter } from '../../plugins/exporters/trl-preference/trlPreference.js';
import { createTrlPromptCompletionExporter } from '../../plugins/exporters/trl-prompt-completion/trlPromptCompletion.js';
import { createTrlStepwiseExporter } from '../../plugins/exporters/trl-stepwise/trlStepwise.js';
import { createTrlUnpairedExporter } from '../../plugins/exporters/trl-unpaired/trlUnpaired.js';
import { createVerlExporter } from '../../plugins/exporters/verl/verl.js';
import { cleanTempDirs, readJsonl, runExport, tempDir } from './exportKit.js';
import { KNOWN, writeKnownRun } from './knownRun.js';

let runDir: string;
beforeAll(async () => {
  runDir = await tempDir();
  await writeKnownRun(runDir);
});
afterAll(cleanTempDirs);

const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });
const coderSeen = (s: number) => [user(KNOWN.coderPrompt), assistant(KNOWN.coderTexts[s]![0]), user(KNOWN.tool)];

describe('converters on a known run', () => {
  it('trl-prompt-completion: the conversation the agent saw as prompt, its action as completion, reward = score × scale', async () => {
    const { outDir } = await runExport(runDir, createTrlPromptCompletionExporter());
    const rows = await readJsonl(join(outDir, 'trl-prompt-completion.jsonl'));
    expect(rows).toHaveLength(9);
    expect(rows[0]).toEqual({
      prompt: [user(KNOWN.solverPrompt)],
      completion: [assistant('x = 4')],
      reward: 0.8,
      score: 8,
      agent_id: 'solver',
      episode_id: 'train-0001-t0-0',
      task_id: 't0',
      step: 1,
      turn_index: 0,
    });
    // The coder's second action: its prompt, its first action and the tool output as the user turn it saw.
    expect(rows[5]!['prompt']).toEqual(coderSeen(1));
    expect(rows[5]!['completion']).toEqual([assistant('answer 4!')]);
    expect(rows[5]!['reward']).toBeCloseTo(0.7, 12);
    const plain = await runExport(runDir, createTrlPromptCompletionExporter({ conversational: false }));
    const p = await readJsonl(join(plain.outDir, 'trl-prompt-completion.jsonl'));
    expect(p[2]!['prompt']).toBe(`<user>\n${KNOWN.coderPrompt}\n<assistant>\nRUN(print(4))\n<user>\n${KNOWN.tool}`);
    expect(p[2]!['completion']).toBe('answer 4');
  });

  it('trl-stepwise: one row per agent turn, labels from each action\'s score against the threshold', async () => {
    const { outDir } = await runExport(runDir, createTrlStepwiseExporter());
    const rows = await readJsonl(join(outDir, 'trl-stepwise.jsonl'));
    expect(rows).toHaveLength(6);
    expect(rows[1]).toMatchObject({
      prompt: KNOWN.coderPrompt,
      completions: [`RUN(print(4))\n${KNOWN.tool}`, 'answer 4'],
      labels: [true, false],
      scores: [6, 2],
      agent_id: 'coder',
    });
    const strict = await runExport(runDir, createTrlStepwiseExporter({ threshold: 7, includeToolOutput: false }));
    const s = await readJsonl(join(strict.outDir, 'trl-stepwise.jsonl'));
    expect(s[3]).toMatchObject({ completions: ['RUN(print(2+2))', 'answer 4!'], labels: [true, true] });
    expect(s[5]).toMatchObject({ labels: [false, false] });
  });

  it('trl-preference: pairs actions that answered the same context, chosen = higher coach score', async () => {
    const { outDir, result } = await runExport(runDir, createTrlPreferenceExporter());
    const rows = await readJsonl(join(outDir, 'trl-preference.jsonl'));
    // Solver: one context for all three samples → best (8) vs worst (3). Coder first action: samples 0 and 1 share
    // a context (6 vs 9); sample 2 saw another one. Coder second actions: all contexts differ → no pair.
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ prompt: [user(KNOWN.solverPrompt)], chosen: [assistant('x = 4')], rejected: [assistant('x = 5')], score_chosen: 8, score_rejected: 3 });
    expect(rows[1]).toMatchObject({
      prompt: [user(KNOWN.coderPrompt)],
      chosen: [assistant('RUN(print(2+2))')],
      rejected: [assistant('RUN(print(4))')],
      score_chosen: 9,
      score_rejected: 6,
      episode_id: 'train-0001-t0-1',
      rejected_episode_id: 'train-0001-t0-0',
    });
    expect(result.notes.join('\n')).toMatch(/actions in no pair.*: 5/);
    const all = await readJsonl(join((await runExport(runDir, createTrlPreferenceExporter({ pairs: 'all' }))).outDir, 'trl-preference.jsonl'));
    expect(all.map((r) => [r['score_chosen'], r['score_rejected']])).toEqual([
      [8, 3],
      [8, 3],
      [9, 6],
    ]);
    const wide = await readJsonl(join((await runExport(runDir, createTrlPreferenceExporter({ margin: 4, conversational: false }))).outDir, 'trl-preference.jsonl'));
    expect(wide).toEqual([expect.objectContaining({ prompt: `<user>\n${KNOWN.solverPrompt}`, chosen: 'x = 4', rejected: 'x = 5' })]);
  });

  it('trl-unpaired: label = score ≥ threshold', async () => {
    const { outDir } = await runExport(runDir, createTrlUnpairedExporter({ threshold: 6 }));
    const rows = await readJsonl(join(outDir, 'trl-unpaired.jsonl'));
    expect(rows.map((r) => [r['score'], r['label']])).toEqual([
      [8, true],
      [6, true],
      [2, false],
      [3, false],
      [9, true],
      [7, true],
      [3, false],
      [4, false],
      [5, false],
    ]);
    expect(rows[2]!['prompt']).toEqual(coderSeen(0));
  });

  it('openai-sft: one conversation per agent turn, assistant weights from each score', async () => {
    const { outDir } = await runExport(runDir, createOpenaiSftExporter());
    const rows = await readJsonl(join(outDir, 'openai-sft.jsonl'));
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({ messages: [user(KNOWN.solverPrompt), { ...assistant('x = 4'), weight: 1 }] });
    expect(rows[1]).toEqual({
      messages: [user(KNOWN.coderPrompt), { ...assistant('RUN(print(4))'), weight: 1 }, user(KNOWN.tool), { ...assistant('answer 4'), weight: 0 }],
    });
    // Coder actions scored ≥ 5 only: sample 0 ends at its first action (its 2-scored answer is left out); sample 2's
    // first action (4) is left out but stays as the context its answer saw, with weight 0.
    const picked = await runExport(runDir, createOpenaiSftExporter(), { agent: 'coder', minScore: 5 });
    const p = await readJsonl(join(picked.outDir, 'openai-sft.jsonl'));
    expect(p).toEqual([
      { messages: [user(KNOWN.coderPrompt), { ...assistant('RUN(print(4))'), weight: 1 }] },
      { messages: [user(KNOWN.coderPrompt), { ...assistant('RUN(print(2+2))'), weight: 1 }, user(KNOWN.tool), { ...assistant('answer 4!'), weight: 1 }] },
      { messages: [user(KNOWN.coderPrompt), { ...assistant('RUN(print(5))'), weight: 0 }, user(KNOWN.tool), { ...assistant('answer 5'), weight: 1 }] },
    ]);
    expect(picked.result.samples).toBe(4);
    expect(picked.result.notes.join('\n')).toMatch(/outside the selection kept as context with weight 0: 1/);
  });

  it('openai-dpo: input messages, preferred and non-preferred assistant outputs', async () => {
    const { outDir } = await runExport(runDir, createOpenaiDpoExporter());
    const rows = await readJsonl(join(outDir, 'openai-dpo.jsonl'));
    expect(rows[0]).toEqual({
      input: { messages: [user(KNOWN.solverPrompt)] },
      preferred_output: [assistant('x = 4')],
      non_preferred_output: [assistant('x = 5')],
    });
    expect(rows).toHaveLength(2);
  });

  it('verl: Parquet rows with data_source, prompt messages, ability, reward_model and the score in extra_info', async () => {
    const { outDir } = await runExport(runDir, createVerlExporter({ groundTruthKey: 'answer' }));
    const buf = await readFile(join(outDir, 'verl.parquet'));
    const rows = (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer })) as Array<Record<string, any>>;
    expect(rows).toHaveLength(9);
    expect(rows[2]).toEqual({
      data_source: 'mappa/known',
      prompt: coderSeen(0),
      ability: 'Code Executor',
      reward_model: { style: 'rule', ground_truth: '4' },
      extra_info: { split: 'train', index: 2, step: 1, episode_id: 'train-0001-t0-0', task_id: 't0', agent_id: 'coder', turn_index: 1, response: 'answer 4', score: 2, reward: 0.2 },
    });
    expect(rows.map((r) => r['extra_info'].score)).toEqual([8, 6, 2, 3, 9, 7, 3, 4, 5]);
  });

  it('openrlhf: input is the rendered context the policy saw, output the action, label the score', async () => {
    const { outDir } = await runExport(runDir, createOpenrlhfExporter(), { agent: 'solver' });
    const rows = await readJsonl(join(outDir, 'openrlhf.jsonl'));
    expect(rows.map((r) => [r['input'], r['output'], r['label'], r['reward']])).toEqual([
      [`<user>\n${KNOWN.solverPrompt}`, 'x = 4', '8', 0.8],
      [`<user>\n${KNOWN.solverPrompt}`, 'x = 5', '3', expect.closeTo(0.3, 12)],
      [`<user>\n${KNOWN.solverPrompt}`, 'x = 6', '3', expect.closeTo(0.3, 12)],
    ]);
    const conv = await readJsonl(join((await runExport(runDir, createOpenrlhfExporter({ conversational: true }), { agent: 'coder', minScore: 7 })).outDir, 'openrlhf.jsonl'));
    expect(conv.map((r) => r['input'])).toEqual([[user(KNOWN.coderPrompt)], coderSeen(1)]);
  });
});
