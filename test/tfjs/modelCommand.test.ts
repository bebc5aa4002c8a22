import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { maxAbsDiff } from './hfTinyFixtures.js';

const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('mappa model', () => {
  it('init writes a Hugging Face checkpoint; generate and score read it', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'mappa-cli-')), 'tiny');
    temps.push(dirname(dir));
    const init = await run(['model', 'init', '--preset', 'tiny', '--out', dir, '--tokenizer', 'char', '--seed', '4']);
    expect(init.code, init.err).toBe(0);
    expect(JSON.parse(init.out)).toMatchObject({ preset: 'tiny', tokenizer: 'char', dtype: 'float32' });
    expect((await readdir(dir)).sort()).toEqual(['chat_template.jinja', 'config.json', 'generation_config.json', 'mappa_policy.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);

    const gen = await run(['model', 'generate', '--model', dir, '--prompt', '2+2=', '--max-new-tokens', '5', '--greedy']);
    expect(gen.code, gen.err).toBe(0);
    const g = JSON.parse(gen.out) as { contextIds: number[]; ids: number[]; text: string; logprobs: number[]; finishReason: string };
    const policy = await createTfjsTransformerPolicy({ path: dir });
    const ref = await policy.generate({ messages: [{ role: 'user', content: '2+2=' }], seed: 0, sampling: { greedy: true, maxNewTokens: 5 } });
    expect(g.contextIds).toEqual(ref.contextIds);
    expect(g.ids).toEqual(ref.tokenIds);
    expect(g.text).toBe(ref.text);

    const byIds = await run(['model', 'generate', '--model', dir, '--ids', g.contextIds.join(','), '--max-new-tokens', '5', '--greedy']);
    expect((JSON.parse(byIds.out) as { ids: number[] }).ids).toEqual(g.ids);

    const score = await run(['model', 'score', '--model', dir, '--ids', [...g.contextIds, ...g.ids].join(',')]);
    expect(score.code, score.err).toBe(0);
    const s = JSON.parse(score.out) as { nextTokenLogprobs: number[]; sum: number; matmul: string };
    const { matmul } = await loadTf();
    expect(s.matmul).toBe(matmul.path);
    expect(s.nextTokenLogprobs).toHaveLength(g.contextIds.length + g.ids.length - 1);
    expect(maxAbsDiff(s.nextTokenLogprobs.slice(-g.ids.length), g.logprobs)).toBeLessThan(1e-4);
    policy.dispose();
  });

  it('backend prints the TensorFlow.js backend and the BatchMatMul path in use', async () => {
    const r = await run(['model', 'backend']);
    expect(r.code, r.err).toBe(0);
    const { backend, matmul } = await loadTf();
    const j = JSON.parse(r.out) as { backend: string; matmul: { path: string; mode: string; detail: string } };
    expect(j.backend).toBe(backend);
    expect(j.matmul).toEqual(matmul);
    expect(['openblas', 'wasm']).toContain(j.matmul.path);
  });

  it('reports bad arguments clearly', async () => {
    const bad = await run(['model', 'init', '--preset', 'huge', '--out', '/tmp/never']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--preset huge: unknown preset/);
    const ids = await run(['model', 'score', '--model', '/nowhere', '--ids', '3,x']);
    expect(ids.code).toBe(2);
    const both = await run(['model', 'generate', '--model', '/nowhere', '--max-new-tokens', '2']);
    expect(both.err).toMatch(/exactly one of --prompt or --ids/);
    const missing = await run(['model', 'score', '--model', '/nowhere', '--ids', '1,2']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/\/nowhere\/config\.json: cannot read/);
  });
});

function dirname(p: string): string {
  return p.slice(0, p.lastIndexOf('/'));
}
