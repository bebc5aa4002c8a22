import { describe, expect, it } from 'vitest';
import { coachInputFromActionFile, CoachActionFileSchema, parseCoachActionFile } from '../../coaches/coachActionFile.js';
import { contentKey, ResponseCache, stableStringify } from '../../coaches/llm/ResponseCache.js';
import { tempDir } from './coachFixtures.js';

describe('response cache', () => {
  it('keys by content regardless of key order', () => {
    expect(stableStringify({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(contentKey({ a: 1, b: 2 })).toBe(contentKey({ b: 2, a: 1 }));
    expect(contentKey({ a: 1 })).not.toBe(contentKey({ a: 2 }));
  });

  it('stores and reads entries on disk; unreadable entries are misses', async () => {
    const { dir, remove } = tempDir();
    try {
      const cache = new ResponseCache<{ x: number }>(dir);
      const key = contentKey('k');
      expect(await cache.get(key)).toBeUndefined();
      await cache.set(key, { x: 1 });
      expect(await new ResponseCache<{ x: number }>(dir).get(key)).toEqual({ x: 1 });
    } finally {
      remove();
    }
  });

  it('shares one promise among identical calls in flight, then forgets it', async () => {
    const cache = new ResponseCache<number>(undefined);
    let runs = 0;
    const work = () => new Promise<number>((r) => setTimeout(() => r(++runs), 10));
    const a = cache.dedupe('k', work);
    const b = cache.dedupe('k', work);
    expect(a.merged).toBe(false);
    expect(b.merged).toBe(true);
    expect(await a.promise).toBe(await b.promise);
    expect(cache.inflightCount).toBe(0);
    expect(await cache.dedupe('k', work).promise).toBe(2);
  });
});

describe('action files', () => {
  it('fills defaults and builds a CoachInput', () => {
    const input = parseCoachActionFile(
      {
        task: { prompt: 'p' },
        agent: { id: 'analyst', role: 'Analyst', position: 2, count: 3 },
        action: 'code',
        toolOutput: 'Traceback',
        filesWritten: ['submission.csv'],
        previousActions: [{ agentId: 'de', role: 'Data Engineer', text: 't', filesWritten: ['X_train.pkl'] }],
        extras: { taskType: 'regression' },
      },
      'a.json',
    );
    expect(input.task).toEqual({ id: 'task', prompt: 'p', metadata: {} });
    expect(input.toolOutput).toBe('Traceback');
    expect(input.groundTruth).toBeUndefined();
    expect('groundTruth' in input).toBe(false);
    expect(input.actionRecord.filesWritten.map((f) => f.path)).toEqual(['submission.csv']);
    expect(input.actionRecord.index).toBe(1);
    expect(input.previousActions[0]!.filesWritten[0]!.writtenBy).toBe('de');
  });

  it('keeps falsy ground truth such as 0', () => {
    const parsed = CoachActionFileSchema.parse({ task: { prompt: 'p' }, agent: { id: 'a', role: 'A' }, action: 'x', groundTruth: 0 });
    expect(coachInputFromActionFile(parsed).groundTruth).toBe(0);
  });

  it('names every problem', () => {
    expect(() => parseCoachActionFile({ task: {}, agent: { id: 'a', role: 'A', position: 3, count: 3 } }, 'bad.json')).toThrow(
      /bad\.json: not a valid action file: .*task\.prompt.*action/,
    );
  });
});
