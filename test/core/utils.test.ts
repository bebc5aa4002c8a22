import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../core/pipeline/applyOverrides.js';
import { atomicWriteDir } from '../../core/util/atomicWrite.js';
import { deriveSeed } from '../../core/util/deriveSeed.js';
import { redactSecrets, redactString } from '../../core/util/redactSecrets.js';
import { Rng } from '../../core/util/Rng.js';
import { truncateMiddle } from '../../core/util/truncate.js';
import { extractCodeBlocks } from '../../environments/code-sandbox/extractCodeBlocks.js';

describe('utilities', () => {
  it('derives distinct, stable seeds', () => {
    expect(deriveSeed(1, 'a', 2)).toBe(deriveSeed(1, 'a', 2));
    expect(deriveSeed(1, 'a', 2)).not.toBe(deriveSeed(1, 'a', 3));
    expect(deriveSeed(1, 'a', 2)).not.toBe(deriveSeed(2, 'a', 2));
    expect(deriveSeed(1, 'ab', 2)).not.toBe(deriveSeed(1, 'a', 'b2'));
  });

  it('restores an Rng from its state', () => {
    const a = Rng.fromSeed(3);
    a.next();
    const b = Rng.fromState(a.state());
    expect([a.next(), a.int(0, 100)]).toEqual([b.next(), b.int(0, 100)]);
    expect(Rng.fromSeed(9).shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('redacts secret fields and key-looking strings but keeps env-var names', () => {
    const out = redactSecrets({ apiKey: 'abc', apiKeyEnv: 'OPENAI_API_KEY', nested: [{ token: 't' }], note: 'use sk-abcdefghijklmnop now' });
    expect(out).toEqual({ apiKey: '[redacted]', apiKeyEnv: 'OPENAI_API_KEY', nested: [{ token: '[redacted]' }], note: 'use [redacted] now' });
    expect(redactString('Bearer abcdefghijkl and AIzaSyA-1234567890abcdefghij')).toBe('[redacted] and [redacted]');
  });

  it('applies path=value overrides with YAML values', () => {
    const raw = { run: { steps: 1 }, agents: [{ id: 'a' }] };
    expect(applyOverrides(raw, ['run.steps=3', 'agents[0].maxActions=2', 'seed=5', 'run.eval={every: 2}'])).toEqual({
      run: { steps: 3, eval: { every: 2 } },
      agents: [{ id: 'a', maxActions: 2 }],
      seed: 5,
    });
    expect(raw.run.steps).toBe(1);
    expect(() => applyOverrides(raw, ['nonsense'])).toThrow(/path=value/);
  });

  it('truncates in the middle with a visible marker', () => {
    const t = truncateMiddle('a'.repeat(100) + 'b'.repeat(100), 80);
    expect(t.length).toBeLessThanOrEqual(80);
    expect(t).toContain('[truncated');
    expect(t.startsWith('a')).toBe(true);
    expect(t.endsWith('b')).toBe(true);
    expect(truncateMiddle('short', 80)).toBe('short');
  });

  it('replaces a directory atomically and leaves nothing behind on failure', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mappa-atomic-'));
    try {
      const dir = join(root, 'ckpt');
      await atomicWriteDir(dir, async (tmp) => writeFile(join(tmp, 'a'), '1'));
      await atomicWriteDir(dir, async (tmp) => writeFile(join(tmp, 'b'), '2'));
      expect((await readdir(dir)).sort()).toEqual(['b']);
      await expect(atomicWriteDir(dir, async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
      expect(await readFile(join(dir, 'b'), 'utf8')).toBe('2');
      expect((await readdir(root)).sort()).toEqual(['ckpt']);
      expect(existsSync(join(dir, 'a'))).toBe(false);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('extracts fenced code outside <think> blocks', () => {
    const text = '<think>```python\nprint(0)\n```</think>Here:\n```python\nprint(1)\n```\n```py\nprint(2)\n```\n```bash\nls\n```\n```python\nunterminated';
    expect(extractCodeBlocks(text)).toEqual([
      { language: 'python', code: 'print(1)\n' },
      { language: 'python', code: 'print(2)\n' },
    ]);
    expect(extractCodeBlocks(text, ['bash']).map((b) => b.code)).toEqual(['ls\n']);
  });
});
