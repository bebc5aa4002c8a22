import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDsbenchTasks } from '../../environments/dsbench/dsbenchTasksPlugin.js';
import type { DsbenchTaskFiles, DsbenchTaskMetadata } from '../../environments/dsbench/DsbenchTaskMeta.js';
import { dsbenchMiniRoot, loadDsbenchTasks } from '../../environments/dsbench/loadDsbenchTasks.js';

const MINI = dsbenchMiniRoot();
const tmp = mkdtempSync(join(tmpdir(), 'mappa-dsb-tasks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake DSBench download: mini tasks copied under Kaggle names, without tasks.jsonl. */
function fakeDsbench(root: string, copies: Record<string, string>): void {
  for (const [kaggle, mini] of Object.entries(copies)) {
    mkdirSync(join(root, 'data', 'data_resplit'), { recursive: true });
    mkdirSync(join(root, 'data', 'answers'), { recursive: true });
    mkdirSync(join(root, 'data', 'task'), { recursive: true });
    cpSync(join(MINI, 'data', 'data_resplit', mini), join(root, 'data', 'data_resplit', kaggle), { recursive: true });
    cpSync(join(MINI, 'data', 'answers', mini), join(root, 'data', 'answers', kaggle), { recursive: true });
    cpSync(join(MINI, 'data', 'task', `${mini}.txt`), join(root, 'data', 'task', `${kaggle}.txt`));
  }
}

describe('dsbench task source', () => {
  it('serves the bundled dsbench-mini by split with metadata and host-only file paths', async () => {
    const source = createDsbenchTasks();
    const train = await source.tasks('train');
    const test = await source.tasks('test');
    expect(train).toHaveLength(8);
    expect(test.map((t) => t.id)).toEqual(['fraud-mini', 'wine-quality-mini', 'energy-mini', 'media-cost-mini']);
    const fraud = test[0]!;
    const meta = fraud.metadata as DsbenchTaskMetadata;
    expect(meta).toMatchObject({ name: 'fraud-mini', taskType: 'classification', metric: 'f1', higherIsBetter: true, target: 'is_fraud', idColumn: 'transaction_id', baselineScore: 0, dataTypeSource: 'metric' });
    expect(meta.gtScore).toBeGreaterThan(0.5);
    expect(fraud.prompt).toContain('## Evaluation');
    const files = fraud.groundTruth as DsbenchTaskFiles;
    expect(files.answerFile).toBe(join(MINI, 'data', 'answers', 'fraud-mini', 'test_answer.csv'));
    expect(files.sampleSubmissionFile).toBe(join(MINI, 'data', 'data_resplit', 'fraud-mini', 'sample_submission.csv'));
    expect(await createDsbenchTasks({ limit: 2 }).tasks('train')).toHaveLength(2);
  });

  it('reads reference-format task lists and corrects their string-multiclass "regression" label', async () => {
    const root = join(tmp, 'ref');
    fakeDsbench(join(root, 'data', 'DSBench'), { 'playground-series-s4e6': 'student-outcome-mini', 'bike-sharing-demand': 'bike-demand-mini' });
    const row = (id: string, prompt: string, dataType: string) => ({
      prompt,
      answer: null,
      metadata: {
        task_id: id,
        task_type: 'data_modeling',
        data_type: dataType,
        train_file: `./data/DSBench/data/data_resplit/${id}/train.csv`,
        test_file: `./data/DSBench/data/data_resplit/${id}/test.csv`,
        answer_dir: `./data/DSBench/data/answers/${id}`,
        url: `https://www.kaggle.com/competitions/${id}`,
      },
    });
    mkdirSync(join(root, 'lists'));
    writeFileSync(join(root, 'lists', 'eval.json'), JSON.stringify(row('playground-series-s4e6', 'Predict the class of Target for each row.', 'regression')) + '\n');
    writeFileSync(join(root, 'lists', 'train.json'), JSON.stringify(row('bike-sharing-demand', 'Submissions are evaluated on RMSLE.', 'regression')) + '\n');
    const tasks = await loadDsbenchTasks({ lists: { train: 'lists/train.json', test: 'lists/eval.json' }, listPathsBase: '.', baseDir: root });
    expect(tasks.map((t) => [t.id, t.split])).toEqual([
      ['bike-sharing-demand', 'train'],
      ['playground-series-s4e6', 'test'],
    ]);
    const s4e6 = tasks[1]!.metadata as DsbenchTaskMetadata;
    // No metric in the text: the answers decide, and the list's wrong label is kept for the record.
    expect(s4e6).toMatchObject({ taskType: 'classification', dataTypeSource: 'detected', listedDataType: 'regression', metric: 'unknown', target: 'Target', idColumn: 'id' });
    expect(s4e6.url).toBe('https://www.kaggle.com/competitions/playground-series-s4e6');
    expect(tasks[0]!.metadata).toMatchObject({ taskType: 'regression', metric: 'rmsle', target: 'count', idColumn: 'datetime' });
    expect(tasks[0]!.metadata.listedDataType).toBeUndefined();
    // The cleaned-prompts file overrides the text and adds the metric.
    writeFileSync(join(root, 'cleaned.json'), JSON.stringify({ 'playground-series-s4e6': { cleaned_prompt: 'Cleaned: predict Target.', metric: 'accuracy', task_type: 'classification', target_column: 'Target', id_column: 'id' } }));
    const cleaned = await loadDsbenchTasks({ lists: { test: 'lists/eval.json' }, listPathsBase: '.', cleanedPrompts: 'cleaned.json', baseDir: root });
    expect(cleaned[0]).toMatchObject({ prompt: 'Cleaned: predict Target.', metadata: { metric: 'accuracy', dataTypeSource: 'metric' } });
  });

  it('scans data/task/*.txt of a real DSBench layout and picks tasks by name per split', async () => {
    const root = join(tmp, 'scan');
    fakeDsbench(root, { titanic: 'titanic-mini', 'playground-series-s3e11': 'media-cost-mini' });
    const all = await loadDsbenchTasks({ root });
    expect(all.map((t) => [t.id, t.split])).toEqual([
      ['playground-series-s3e11', 'train'],
      ['titanic', 'train'],
    ]);
    expect(all[1]!.metadata).toMatchObject({ metric: 'accuracy', taskType: 'classification', target: 'Survived', idColumn: 'PassengerId' });
    const named = await loadDsbenchTasks({ root, names: { test: ['titanic'] } });
    expect(named.map((t) => [t.id, t.split])).toEqual([['titanic', 'test']]);
    await expect(loadDsbenchTasks({ root, names: { test: ['nope'] } })).rejects.toThrow(/"nope".*not in the task list/);
  });

  it('names the missing file and how to fix it', async () => {
    const root = join(tmp, 'broken');
    fakeDsbench(root, { titanic: 'titanic-mini' });
    rmSync(join(root, 'data', 'answers', 'titanic', 'test_answer.csv'));
    await expect(loadDsbenchTasks({ root })).rejects.toThrow(/titanic: test_answer.csv not found/);
    await expect(loadDsbenchTasks({ root: join(tmp, 'nothing-here') })).rejects.toThrow(/no DSBench tasks/);
  });
});
