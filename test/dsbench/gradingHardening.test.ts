import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { quadraticWeightedKappa } from '../../environments/dsbench/grading/classificationMetrics.js';
import { gradeSubmission } from '../../environments/dsbench/grading/gradeSubmission.js';
import { Rng } from '../../core/util/Rng.js';

/* Issue 18 item 9: grading data the agents control never crashes and never reads outside what it was given. */

/** scikit-learn's definition, written the slow way: labels that occur, index distance, full confusion matrix. */
function referenceQwk(t: readonly number[], p: readonly number[]): number {
  const labels = [...new Set([...t, ...p])].sort((a, b) => a - b);
  const idx = new Map(labels.map((l, i) => [l, i]));
  const k = labels.length;
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < t.length; i++) o[idx.get(t[i]!)!]![idx.get(p[i]!)!]!++;
  const rows = o.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = labels.map((_, j) => o.reduce((a, r) => a + r[j]!, 0));
  let num = 0;
  let den = 0;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
    num += (a - b) ** 2 * o[a]![b]!;
    den += ((a - b) ** 2 * rows[a]! * cols[b]!) / t.length;
  }
  return 1 - num / den;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('DSBench grading hardening (issue 18 item 9)', () => {
  it('QWK matches scikit-learn (labels that occur) on random data, including gaps and huge predictions', () => {
    const rng = Rng.fromSeed(3);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + Math.floor(rng.next() * 40);
      const t = Array.from({ length: n }, () => Math.floor(rng.next() * 5));
      const p = Array.from({ length: n }, () => (rng.next() < 0.1 ? 1_000_000 : Math.floor(rng.next() * 7)));
      expect(quadraticWeightedKappa(t, p)).toBeCloseTo(referenceQwk(t, p), 10);
    }
    // Hand-computed: labels 0,1,2,3,5,1e6 → num 13, den 15 + 46 − 2·7·12/5 = 27.4.
    expect(quadraticWeightedKappa([0, 1, 2, 3, 1], [0, 5, 2, 1_000_000, 1])).toBeCloseTo(1 - 13 / 27.4, 12);
  });

  it('QWK of 100k rows with a 1e9 prediction returns quickly instead of crashing', () => {
    const t = Array.from({ length: 100_000 }, (_, i) => i % 5);
    const p = t.map((v, i) => (i === 7 ? 1e9 : v));
    const t0 = performance.now();
    const k = quadraticWeightedKappa(t, p);
    expect(Number.isFinite(k)).toBe(true);
    expect(k).toBeLessThan(1);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('a hexadecimal prediction is not a number; an overflowing one is an invalid submission, not a valid one without a score', () => {
    const answers = 'id,y\n1,1.5\n2,2.5\n3,4\n';
    const hex = gradeSubmission(answers, 'id,y\n1,0x10\n2,2\n3,4\n', { target: 'y', idColumn: 'id', taskType: 'regression', metric: 'rmse' });
    expect(hex.valid).toBe(false);
    expect(hex.error).toMatch(/0x10.*not a number/);
    const huge = gradeSubmission(answers, 'id,y\n1,1e308\n2,2\n3,4\n', { target: 'y', idColumn: 'id', taskType: 'regression', metric: 'rmse' });
    expect(huge.valid === false || huge.score !== undefined).toBe(true);
    expect(huge.valid).toBe(false);
    expect(huge.error).toMatch(/rmse/);
    const qwk = gradeSubmission('id,y\n1,0\n2,1\n3,2\n', 'id,y\n1,0\n2,1\n3,1000000\n', { target: 'y', idColumn: 'id', taskType: 'classification', metric: 'qwk' });
    expect(qwk.valid).toBe(true);
    expect(qwk.score).toBeTypeOf('number');
  });

  it('mappa dsbench grade refuses a submission that is a symlink and does not quote the file it points to', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-grade-'));
    dirs.push(dir);
    await writeFile(join(dir, 'test_answer.csv'), 'id,y\n1,0\n2,1\n');
    await writeFile(join(dir, 'private.txt'), 'TOP-SECRET-FIRST-LINE:x:0:0\nmore\n');
    await symlink(join(dir, 'private.txt'), join(dir, 'sub.csv'));
    let out = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    let code: number;
    try {
      code = await main(['dsbench', 'grade', '--task', dir, '--submission', join(dir, 'sub.csv')]);
    } finally {
      o.mockRestore();
      e.mockRestore();
      process.exitCode = undefined;
    }
    expect(code).not.toBe(0);
    expect(out).toMatch(/symlink/);
    expect(out).not.toContain('TOP-SECRET');
  });
});
