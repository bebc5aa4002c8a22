import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MappaRlRecord } from '../../core/model/MappaRlRecord.js';
import { createMappaRlExporter } from '../../plugins/exporters/mappa-rl/mappaRl.js';
import { grpoAdvantages, reinforcePPAdvantages, rlooAdvantages } from '../../plugins/trainers/math/index.js';
import { cleanTempDirs, readEpisodes, readJsonl, runExport, runTinyRun, setRunTrainer, tempDir } from './exportKit.js';
import { knownEpisodes, writeKnownRun } from './knownRun.js';

let runDir: string;
let trainerBatches: Awaited<ReturnType<typeof runTinyRun>>['trainer']['steps'];
beforeAll(async () => {
  const run = await runTinyRun();
  runDir = run.runDir;
  trainerBatches = run.trainer.steps;
});
afterAll(cleanTempDirs);

async function exportRecords(options: Parameters<typeof runExport>[2] = {}): Promise<MappaRlRecord[]> {
  const { outDir } = await runExport(runDir, createMappaRlExporter(), options);
  return readJsonl<MappaRlRecord>(join(outDir, 'mappa-rl.jsonl'));
}

describe('mappa-rl export', () => {
  it('writes one record per action with the exact ids and log-probs of the episode files, valid against the JSON Schema', async () => {
    const records = await exportRecords();
    const episodes = await readEpisodes(runDir, 'train-');
    const actions = episodes.flatMap((e) => e.actions.map((a) => ({ e, a })));
    expect(records).toHaveLength(actions.length);
    expect(records.length).toBeGreaterThan(12);
    records.forEach((r, i) => {
      const { e, a } = actions[i]!;
      expect([r.episode_id, r.agent_id, r.action_index, r.turn_index, r.step]).toEqual([e.id, a.agentId, a.index, a.turnIndex, e.step]);
      expect(r.context_ids).toEqual(a.contextIds);
      expect(r.action_ids).toEqual(a.actionIds);
      expect(r.rollout_logprobs).toEqual(a.logprobs);
      expect(r.policy_version).toBe(a.policyVersion);
      expect(r.score).toBe(a.coach!.score);
      expect(r.reward).toBeCloseTo(a.coach!.score * 0.1, 12);
      expect(r.loss_mask).toEqual(a.actionIds.map(() => 1));
      expect(r.advantages).toHaveLength(a.actionIds.length);
      expect(r.group_id).toBe(`${e.groupId}/${a.agentId}/${a.turnIndex}`);
    });
    // The runner handed the trainer the same ids and rewards.
    const fromTrainer = trainerBatches.flatMap((s) => s.batches.flatMap((b) => b.experiences));
    expect(fromTrainer.length).toBe(records.length);
    for (const exp of fromTrainer) {
      const r = records.find((x) => x.episode_id === exp.episodeId && x.agent_id === exp.agentId && x.turn_index === exp.turnIndex)!;
      expect(r.context_ids).toEqual(exp.contextIds);
      expect(r.action_ids).toEqual(exp.actionIds);
      expect(r.rollout_logprobs).toEqual(exp.rolloutLogprobs);
      expect(r.reward).toBe(exp.reward);
      expect(r.group_id).toBe(exp.groupId);
    }
    const schema = JSON.parse(await readFile(join(import.meta.dirname, '../../schema/mappa-rl.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    for (const r of records) expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    // The schema can fail: a record with a float token id or a missing field is refused.
    expect(validate({ ...records[0]!, action_ids: [1.5] })).toBe(false);
    const { advantages: _drop, ...missing } = records[0]!;
    expect(validate(missing)).toBe(false);
  });

  it('computes REINFORCE++ advantages as the trainer math does: per agent by default, over all agents with global normalization', async () => {
    const records = await exportRecords({ steps: { from: 1, to: 1 } });
    expect(new Set(records.map((r) => r.advantage_estimator))).toEqual(new Set(['reinforce++']));
    for (const agent of ['solver', 'coder', 'verifier']) {
      const mine = records.filter((r) => r.agent_id === agent);
      const expected = reinforcePPAdvantages({
        logp: mine.map((r) => r.action_ids.map(() => 0)),
        refLogp: mine.map((r) => r.action_ids.map(() => 0)),
        mask: mine.map((r) => r.action_ids.map(() => 1)),
        reward: mine.map((r) => r.reward),
        klCoef: 0,
      });
      mine.forEach((r, i) => r.advantages.forEach((a, t) => expect(a).toBeCloseTo(expected[i]![t]!, 12)));
    }
    await setRunTrainer(runDir, { use: 'reinforce++', normalization: 'global', gamma: 0.5 });
    try {
      const global = await exportRecords({ steps: { from: 1, to: 1 } });
      const expected = reinforcePPAdvantages({
        logp: global.map((r) => r.action_ids.map(() => 0)),
        refLogp: global.map((r) => r.action_ids.map(() => 0)),
        mask: global.map((r) => r.action_ids.map(() => 1)),
        reward: global.map((r) => r.reward),
        klCoef: 0,
        gamma: 0.5,
      });
      global.forEach((r, i) => r.advantages.forEach((a, t) => expect(a).toBeCloseTo(expected[i]![t]!, 12)));
      // With γ < 1 the first token of a longer action gets a discounted return: advantages are not constant per action.
      expect(new Set(global[0]!.advantages).size).toBeGreaterThan(1);
    } finally {
      await setRunTrainer(runDir, { use: 'fake-trainer' });
    }
  });

  it('computes GRPO, RLOO and REINFORCE++-baseline advantages per group of the same task, agent and turn', async () => {
    try {
      for (const [trainer, label] of [
        [{ use: 'grpo' }, 'grpo'],
        [{ use: 'grpo', estimator: 'rloo' }, 'rloo'],
        [{ use: 'reinforce++-baseline' }, 'reinforce++-baseline'],
      ] as const) {
        await setRunTrainer(runDir, trainer);
        const records = await exportRecords({ steps: { from: 2, to: 2 } });
        expect(records[0]!.advantage_estimator).toBe(label);
        for (const agent of ['solver', 'coder', 'verifier']) {
          const mine = records.filter((r) => r.agent_id === agent);
          const rewards = mine.map((r) => r.reward);
          const groups = mine.map((r) => r.group_id);
          let perSeq: number[];
          if (label === 'grpo') perSeq = grpoAdvantages(rewards, groups);
          else if (label === 'rloo') perSeq = rlooAdvantages(rewards, groups);
          else {
            const centred = grpoAdvantages(rewards, groups, { scaleByStd: false });
            const whitened = reinforcePPAdvantages({
              logp: mine.map((r) => r.action_ids.map(() => 0)),
              refLogp: mine.map((r) => r.action_ids.map(() => 0)),
              mask: mine.map((r) => r.action_ids.map(() => 1)),
              reward: centred,
              klCoef: 0,
            });
            mine.forEach((r, i) => r.advantages.forEach((a, t) => expect(a).toBeCloseTo(whitened[i]![t]!, 12)));
            continue;
          }
          mine.forEach((r, i) => expect(r.advantages).toEqual(r.action_ids.map(() => perSeq[i]!)));
        }
        // Two samples per task: the solver's groups have two members, so some advantages are non-zero.
        expect(records.some((r) => r.agent_id === 'solver' && r.advantages.some((a) => a !== 0))).toBe(true);
      }
    } finally {
      await setRunTrainer(runDir, { use: 'fake-trainer' });
    }
  });

  it('marks fallbacks and truncations as not trainable with zero mask and advantages, as the trainer leaves them out', async () => {
    const episodes = await readEpisodes(runDir, 'train-step-0001');
    const { buildMappaRlRecords } = await import('../../plugins/exporters/mappa-rl/buildMappaRlRecords.js');
    const e0 = structuredClone(episodes[0]!);
    (e0.actions[0]!.coach!.flags as { fallback: boolean }).fallback = true;
    (e0.actions[1] as { finishReason: string }).finishReason = 'length';
    const records = buildMappaRlRecords([e0, ...episodes.slice(1)], {
      run: 'x',
      rewards: { scale: 0.1 },
      estimator: { kind: 'reinforce++', normalization: 'per-agent', gamma: 1, rewardClip: 10, maskTruncated: true },
    });
    expect(records[0]!.skip_reason).toBe('fallback');
    expect(records[1]!.skip_reason).toBe('truncated');
    for (const r of records.slice(0, 2)) {
      expect(r.trainable).toBe(false);
      expect(r.loss_mask.every((m) => m === 0)).toBe(true);
      expect(r.advantages.every((a) => a === 0)).toBe(true);
    }
    expect(records.slice(2).every((r) => r.trainable)).toBe(true);
  });

  it('writes Parquet that an independent reader (hyparquet) reads back equal to the JSONL records', async () => {
    const jsonl = await exportRecords();
    const { outDir, result } = await runExport(runDir, createMappaRlExporter({ parquet: true }));
    expect(result.files[0]!.path).toBe(join(outDir, 'mappa-rl.parquet'));
    const buf = await readFile(join(outDir, 'mappa-rl.parquet'));
    const rows = (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer })) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(jsonl.length);
    rows.forEach((row, i) => {
      const r = jsonl[i]!;
      expect(row['context_ids']).toEqual(r.context_ids);
      expect(row['action_ids']).toEqual(r.action_ids);
      expect(row['rollout_logprobs']).toEqual(r.rollout_logprobs);
      expect(row['advantages']).toEqual(r.advantages);
      expect(row['coach']).toEqual(r.coach);
      expect(row['score']).toBe(r.score);
      expect(JSON.parse(row['task_metadata'] as string)).toEqual(r.task_metadata);
      expect({ ...row, task_metadata: r.task_metadata }).toEqual(r);
    });
  });

  it('writes one file per agent and step with layout per-agent-step', async () => {
    const { outDir, result } = await runExport(runDir, createMappaRlExporter({ layout: 'per-agent-step' }), { split: 'train' });
    const names = result.files.map((f) => f.path.slice(outDir.length + 1)).sort();
    expect(names).toEqual(['coder/train-step-0001.jsonl', 'coder/train-step-0002.jsonl', 'solver/train-step-0001.jsonl', 'solver/train-step-0002.jsonl', 'verifier/train-step-0001.jsonl', 'verifier/train-step-0002.jsonl']);
    const coder = await readJsonl<MappaRlRecord>(join(outDir, 'coder/train-step-0002.jsonl'));
    expect(coder.length).toBeGreaterThan(0);
    expect(coder.every((r) => r.agent_id === 'coder' && r.step === 2)).toBe(true);
  });

  it('leaves out records that do not train with trainableOnly, and says how many', async () => {
    const dir = await tempDir();
    const episodes = knownEpisodes();
    (episodes[1]!.actions[0]!.coach!.flags as { fallback: boolean }).fallback = true;
    await writeKnownRun(dir, episodes);
    const all = await runExport(dir, createMappaRlExporter());
    expect((await readJsonl<MappaRlRecord>(join(all.outDir, 'mappa-rl.jsonl'))).filter((r) => !r.trainable).map((r) => r.skip_reason)).toEqual(['fallback']);
    const { outDir, result } = await runExport(dir, createMappaRlExporter({ trainableOnly: true }));
    const records = await readJsonl<MappaRlRecord>(join(outDir, 'mappa-rl.jsonl'));
    expect(records).toHaveLength(8);
    expect(records.every((r) => r.trainable)).toBe(true);
    expect(result.notes).toContain('mappa-rl: 1 record(s) that do not train left out (trainableOnly)');
  });
});
