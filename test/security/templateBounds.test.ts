import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TemplateEngine } from '../../core/util/createTemplateEngine.js';
import { ROOT } from '../trainers/cliRunKit.js';
import { hfTinyDir } from '../tfjs/hfTinyFixtures.js';

/* Issue 18 item 10: templates that never end (or never stop growing) are stopped with an error naming the template. */

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('bounded template rendering (issue 18 item 10)', () => {
  it('a Liquid loop over 1e9 items stops with an error naming the template', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-tpl-'));
    dirs.push(dir);
    const file = join(dir, 'agent.liquid');
    await writeFile(file, '{% for i in (1..1000000000) %}{{ i }}{% endfor %}');
    const t0 = Date.now();
    const err = await new TemplateEngine().renderFile(file, {}).then(() => undefined, (e: Error) => e);
    expect(err?.message).toContain(file);
    expect(err?.message).toMatch(/limit/i);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('Liquid output past the size limit is an error', async () => {
    const err = await new TemplateEngine({ maxOutputChars: 10_000 }).renderString('{% for i in (1..5000) %}abcdefgh{% endfor %}', {}, 'coach template x.liquid').then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/coach template x\.liquid.*10000 characters/);
  });

  it('a Jinja chat template with range(1000000000) is an error naming the chat template, not a dead process', { timeout: 60_000 }, async () => {
    const script = `
      import { readTokenizerFiles } from './plugins/policies/tfjs-transformer/hfCheckpoint.js';
      import { TextTokenizer } from './plugins/policies/tfjs-transformer/TextTokenizer.js';
      const files = await readTokenizerFiles(${JSON.stringify(join(hfTinyDir(), 'llama-tiny'))});
      const tok = new TextTokenizer({ ...files, chatTemplate: '{% for i in range(1000000000) %}x{% endfor %}' }, 'bomb-checkpoint');
      try { tok.renderChat([{ role: 'user', content: 'hi' }], true); console.log('RENDERED'); }
      catch (e) { console.log('ERROR ' + e.message); }
    `;
    // A small heap makes the unbounded version die in seconds instead of eating the machine's memory.
    const r = await promisify(execFile)(process.execPath, ['--max-old-space-size=192', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, timeout: 50_000 }).then(
      (x) => ({ code: 0, out: x.stdout }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, out: e.stdout ?? '' }),
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ERROR .*bomb-checkpoint.*chat template/);
  });
});
