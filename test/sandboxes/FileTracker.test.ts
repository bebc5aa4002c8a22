import { mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileTracker } from '../../environments/code-sandbox/FileTracker.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('FileTracker', () => {
  it('attributes created and changed files to the action, keeps owners, forgets deleted files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mappa-ft-'));
    dirs.push(root);
    await writeFile(join(root, 'task.csv'), 'a,b\n');
    const t = new FileTracker(root, { ignore: (p) => p.startsWith('cache/') });
    await t.baseline();
    await writeFile(join(root, 'data.pkl'), 'x');
    await writeFile(join(root, 'cache'), '').catch(() => undefined);
    expect((await t.commit('planner', 0)).map((a) => [a.path, a.writtenBy, a.actionIndex])).toEqual([['cache', 'planner', 0], ['data.pkl', 'planner', 0]]);
    await unlink(join(root, 'cache'));
    expect(await t.commit('coder', 1)).toEqual([]);
    await writeFile(join(root, 'data.pkl'), 'changed');
    await writeFile(join(root, 'model.pkl'), 'm');
    await symlink('/etc/passwd', join(root, 'link'));
    const second = await t.commit('coder', 2);
    expect(second.map((a) => a.path)).toEqual(['data.pkl', 'model.pkl']);
    expect(second[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    await unlink(join(root, 'model.pkl'));
    await t.commit('coder', 3);
    expect(t.list().map((a) => [a.path, a.writtenBy])).toEqual([['data.pkl', 'coder'], ['task.csv', 'environment']]);
  });

  it('does not re-attribute a file rewritten with the same content', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mappa-ft-'));
    dirs.push(root);
    const t = new FileTracker(root);
    await t.baseline();
    await writeFile(join(root, 'out.txt'), 'same');
    await t.commit('a', 0);
    await writeFile(join(root, 'out.txt'), 'same');
    expect(await t.commit('b', 1)).toEqual([]);
    expect(t.list()[0]!.writtenBy).toBe('a');
  });
});
