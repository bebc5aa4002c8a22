import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { answersEquivalent } from '../../environments/mathchat/answers/answersEquivalent.js';
import { createAimeJsonlTasks } from '../../environments/mathchat/tasks/aimeJsonlPlugin.js';
import { createMathChatGenerator } from '../../environments/mathchat/tasks/mathchatGeneratorPlugin.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';

describe('mathchat-generator', () => {
  it('is registered as a tasks plugin', () => {
    const reg = createBuiltinRegistry();
    expect(reg.get('tasks', 'mathchat-generator')).toBeDefined();
    expect(reg.get('tasks', 'aime-jsonl')).toBeDefined();
  });

  it('gives the same tasks for the same seed and different ones for another seed', async () => {
    const a = await createMathChatGenerator({ train: 200, test: 50, seed: 3 }).tasks('train');
    const b = await createMathChatGenerator({ train: 200, test: 50, seed: 3 }).tasks('train');
    const c = await createMathChatGenerator({ train: 200, test: 50, seed: 4 }).tasks('train');
    expect(b).toEqual(a);
    expect(c.map((t) => t.prompt)).not.toEqual(a.map((t) => t.prompt));
  });

  it('has disjoint train and test splits of the asked sizes, with unique ids and prompts', async () => {
    const g = createMathChatGenerator({ train: 600, test: 100 });
    const train = await g.tasks('train');
    const test = await g.tasks('test');
    expect(train).toHaveLength(600);
    expect(test).toHaveLength(100);
    const trainPrompts = new Set(train.map((t) => t.prompt));
    expect(trainPrompts.size).toBe(600);
    expect(test.filter((t) => trainPrompts.has(t.prompt))).toEqual([]);
    expect(new Set([...train, ...test].map((t) => t.id)).size).toBe(700);
    expect(await g.tasks('validation')).toEqual([]);
  });

  it('keeps the test split when only the train count changes', async () => {
    const small = await createMathChatGenerator({ train: 10, test: 40 }).tasks('test');
    const big = await createMathChatGenerator({ train: 500, test: 40 }).tasks('test');
    expect(big).toEqual(small);
  });

  it('labels task type and difficulty and follows the difficulty mix', async () => {
    const only1 = await createMathChatGenerator({ train: 100, test: 0, difficultyMix: [1, 0, 0] }).tasks('train');
    expect(only1.every((t) => t.metadata['difficulty'] === 1 && t.metadata['taskType'] === 'arithmetic')).toBe(true);
    expect(only1.every((t) => /^What is \d+[-+]\d+\?$/.test(t.prompt))).toBe(true);
    const only3 = await createMathChatGenerator({ train: 200, test: 0, difficultyMix: [0, 0, 1] }).tasks('train');
    const types = new Set(only3.map((t) => t.metadata['taskType']));
    expect(types).toEqual(new Set(['word', 'fraction']));
    const mixed = await createMathChatGenerator({ train: 1000, test: 0, difficultyMix: [0.5, 0.25, 0.25] }).tasks('train');
    const share1 = mixed.filter((t) => t.metadata['difficulty'] === 1).length / mixed.length;
    expect(share1).toBeGreaterThan(0.42);
    expect(share1).toBeLessThan(0.58);
  });

  it('has exact answers that Python prints exactly from the solution expression', async () => {
    const g = createMathChatGenerator({ train: 150, test: 0, difficultyMix: [1, 1, 2] });
    const problems = g.problems('train');
    const script = problems.map((p) => `print(${p.solution})`).join('\n');
    const printed = execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }).trim().split('\n');
    problems.forEach((p, i) => expect(answersEquivalent(printed[i]!, p.answer), `${p.prompt} → ${printed[i]} vs ${p.answer}`).toBe(true));
    // The solution never leaks into the task.
    const tasks = await g.tasks('train');
    expect(tasks.every((t) => !JSON.stringify(t.metadata).includes('solution'))).toBe(true);
  });

  it('fails with a hint when asked for more distinct problems than exist', async () => {
    const g = createMathChatGenerator({ train: 5000, test: 0, difficultyMix: [1, 0, 0], maxOperand: [3, 12, 20] });
    await expect(g.tasks('train')).rejects.toThrow(/ran out of distinct level-1 problems/);
  });
});

describe('aime-jsonl', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const tmp = async () => {
    const d = await mkdtemp(join(tmpdir(), 'mappa-aime-'));
    dirs.push(d);
    return d;
  };

  it('reads JSONL and JSON arrays, keeps metadata, drops worked solutions', async () => {
    const dir = await tmp();
    await writeFile(
      join(dir, 'train.jsonl'),
      [
        JSON.stringify({ id: 'a1', problem: 'Find x.', answer: 204, year: 2024, solution: 'x = 204' }),
        '',
        JSON.stringify({ problem: 'Find y.', answer: '033', year: 2023, problem_number: 7 }),
      ].join('\n'),
    );
    await writeFile(join(dir, 'test.json'), JSON.stringify([{ problem: 'Find z.', answer: '5', level: 3 }]));
    const src = createAimeJsonlTasks({ splits: { train: 'train.jsonl', test: 'test.json' } }, dir);
    const train = await src.tasks('train');
    expect(train.map((t) => t.id)).toEqual(['a1', '2023-7']);
    expect(train[0]).toMatchObject({ prompt: 'Find x.', groundTruth: '204', metadata: { year: 2024, taskType: 'competition' } });
    expect(train[0]!.metadata).not.toHaveProperty('solution');
    expect(answersEquivalent('33', String(train[1]!.groundTruth))).toBe(true);
    const test = await src.tasks('test');
    expect(test[0]).toMatchObject({ id: 'test-1', groundTruth: '5', metadata: { difficulty: 3 } });
  });

  it('samples a seeded subset', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'all.jsonl'), Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i, problem: `P${i}`, answer: i })).join('\n'));
    const a = await createAimeJsonlTasks({ splits: { train: 'all.jsonl' }, sample: { train: 10 } }, dir).tasks('train');
    const b = await createAimeJsonlTasks({ splits: { train: 'all.jsonl' }, sample: { train: 10 } }, dir).tasks('train');
    const c = await createAimeJsonlTasks({ splits: { train: 'all.jsonl' }, sample: { train: 10 }, sampleSeed: 7 }, dir).tasks('train');
    expect(a).toHaveLength(10);
    expect(b).toEqual(a);
    expect(c.map((t) => t.id)).not.toEqual(a.map((t) => t.id));
  });

  it('names the file and line of a bad record', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'bad.jsonl'), `${JSON.stringify({ problem: 'ok', answer: 1 })}\n${JSON.stringify({ question: 'no problem field', answer: 2 })}\n`);
    await expect(createAimeJsonlTasks({ splits: { train: 'bad.jsonl' } }, dir).tasks('train')).rejects.toThrow(/bad\.jsonl:2: field "problem"/);
    await expect(createAimeJsonlTasks({ splits: { train: 'missing.jsonl' } }, dir).tasks('train')).rejects.toThrow(/cannot read problem file/);
  });
});
