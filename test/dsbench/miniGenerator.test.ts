import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/util/packageRoot.js';
import { detectDataType, referenceDataType } from '../../environments/dsbench/grading/detectDataType.js';
import { gradeSubmission } from '../../environments/dsbench/grading/gradeSubmission.js';
import { column, parseCsv } from '../../environments/dsbench/grading/parseCsv.js';
import { DSBENCH_MINI_SEED, generateDsbenchMini, type MiniTaskListRow } from '../../environments/dsbench/mini/generateDsbenchMini.js';

const MINI = join(packageRoot(), 'examples', 'dsbench', 'dsbench-mini');

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [relative(MINI, full)];
  });
}

describe('dsbench-mini generator', () => {
  const files = generateDsbenchMini(DSBENCH_MINI_SEED);
  const rows = files.get('tasks.jsonl')!.trim().split('\n').map((l) => JSON.parse(l) as MiniTaskListRow);

  it('regenerating gives exactly the committed files', () => {
    const committed = listFiles(MINI).sort();
    expect(committed).toEqual([...files.keys()].sort());
    for (const [path, content] of files) expect(readFileSync(join(MINI, path), 'utf8'), path).toBe(content);
  });

  it('is deterministic for a seed and changes with it', () => {
    const again = generateDsbenchMini(DSBENCH_MINI_SEED);
    expect([...again]).toEqual([...files]);
    const other = generateDsbenchMini(DSBENCH_MINI_SEED + 1);
    expect(other.get('data/answers/titanic-mini/test_answer.csv')).not.toBe(files.get('data/answers/titanic-mini/test_answer.csv'));
  });

  it('has at least 10 tasks, half classification and half regression, each under 100 KB', () => {
    expect(rows.length).toBeGreaterThanOrEqual(10);
    const cls = rows.filter((r) => r.data_type === 'classification');
    expect(cls.length * 2).toBe(rows.length);
    for (const r of rows) {
      const size = [...files].filter(([p]) => p.includes(`/${r.task_id}/`) || p.endsWith(`/${r.task_id}.txt`)).reduce((s, [, c]) => s + Buffer.byteLength(c), 0);
      expect(size, r.task_id).toBeLessThan(100 * 1024);
      expect(size, r.task_id).toBeGreaterThan(5 * 1024);
    }
    expect(new Set(rows.map((r) => r.split))).toEqual(new Set(['train', 'test']));
  });

  it('every task has baseline and ground-truth scores, the latter better in the metric direction', () => {
    for (const r of rows) {
      expect(Number.isFinite(r.baseline_score) && Number.isFinite(r.gt_score), r.task_id).toBe(true);
      expect(r.higher_is_better ? r.gt_score > r.baseline_score : r.gt_score < r.baseline_score, r.task_id).toBe(true);
    }
  });

  it('labels agree with data-type detection; string multiclass tasks are what the reference detector gets wrong', () => {
    const misread: string[] = [];
    for (const r of rows) {
      const answers = parseCsv(files.get(`data/answers/${r.task_id}/test_answer.csv`)!);
      const values = column(answers, r.target)!;
      expect(detectDataType(values), r.task_id).toBe(r.data_type);
      if (referenceDataType(values) !== r.data_type) misread.push(r.task_id);
    }
    expect(misread.sort()).toEqual(['obesity-mini', 'student-outcome-mini']);
  });

  it('includes an imbalanced binary task where accuracy and F1 disagree, and a count target for RMSLE', () => {
    const fraud = rows.find((r) => r.metric === 'f1')!;
    const answers = files.get(`data/answers/${fraud.task_id}/test_answer.csv`)!;
    const g = gradeSubmission(answers, files.get(`data/data_resplit/${fraud.task_id}/sample_submission.csv`), { target: fraud.target, idColumn: fraud.id_column, metric: 'f1' });
    expect(g.metrics.accuracy).toBeGreaterThan(0.8);
    expect(g.metrics.f1).toBe(0);
    const count = rows.find((r) => r.metric === 'rmsle' && r.target === 'count')!;
    const ys = column(parseCsv(files.get(`data/answers/${count.task_id}/test_answer.csv`)!), 'count')!.map(Number);
    expect(ys.every((y) => Number.isInteger(y) && y >= 0)).toBe(true);
    expect(new Set(ys).size).toBeGreaterThan(10);
  });

  it('never puts the answers in the task files agents see', () => {
    for (const r of rows) {
      const test = parseCsv(files.get(`data/data_resplit/${r.task_id}/test.csv`)!);
      expect(test.header, r.task_id).not.toContain(r.target);
      const train = parseCsv(files.get(`data/data_resplit/${r.task_id}/train.csv`)!);
      expect(train.header, r.task_id).toContain(r.target);
    }
  });
});
