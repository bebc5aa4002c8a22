// `warmStart.base: shared`: the supervised warm start trains the shared base of the LoRA policies (full weights, all
// agents' demonstrations), saves it as a Hugging Face checkpoint in the cache, and every adapter starts at B = 0 on
// it; saved adapters point at it and a resumed policy puts it back.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Policy } from '../../core/contracts/Policy.js';
import { TOKENS } from '../../core/di/tokens.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { TfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const tempDir = async (prefix: string) => {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

const loraPolicy = { use: 'tfjs-transformer', preset: 'tiny', tokenizer: 'char', maxContextLength: 64, maxNewTokens: 4, lora: { r: 4, alpha: 8 } };
const sft = { use: 'sft', lr: 0.01, epochs: 3, microBatchSize: 12, schedule: { type: 'constant', warmupRatio: 0 } };

function raw(cacheDir: string, o: { warmStart?: Record<string, unknown>; policies?: Record<string, unknown> } = {}) {
  return {
    ...tinyPipeline({ run: { steps: 0, cacheDir, eval: { atStart: false, atEnd: false }, report: false } }),
    policies: o.policies ?? { a: loraPolicy, b: loraPolicy, c: loraPolicy },
    warmStart: { demonstrations: { use: 'fake-demos', count: 4 }, trainer: sft, base: 'shared', ...o.warmStart },
  };
}

async function validate(pipeline: Record<string, unknown>) {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  return validatePipeline(pipeline, { registry, baseDir: TINY_DIR });
}

/** Runs the pipeline's warm start; `inspect` sees the live policies before the run is disposed. */
async function warmStartRun(pipeline: Record<string, unknown>, inspect: (p: ReadonlyMap<string, Policy>) => Promise<void> = async () => {}) {
  const result = await validate(pipeline);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const run = await createRun({ pipeline: result.pipeline, runDir: await tempDir('mappa-run-'), logger: silentLogger });
  try {
    const summary = await run.runner.train();
    await inspect(run.container.get<ReadonlyMap<string, Policy>>(TOKENS.Policies));
    return summary.metrics[0] ?? ({} as Record<string, number>);
  } finally {
    await run.dispose();
  }
}

const demo = (p: TfjsTransformerPolicy, id: string) => p.encodeDemonstration([{ role: 'user', content: 'demo 1' }], `${id} says 1`);
async function meanLogp(p: TfjsTransformerPolicy, id: string): Promise<number> {
  const e = await demo(p, id);
  const [lp] = await p.score([{ contextIds: e.contextIds, continuationIds: e.actionIds }]);
  return lp!.reduce((a, b) => a + b, 0) / lp!.length;
}

describe('warmStart.base: shared', () => {
  it('trains the shared base on every agent\'s demonstrations; adapters start at B = 0 on it; the cache is reused', async () => {
    const cacheDir = await tempDir('mappa-cache-');
    let warmDir = '';
    const row = await warmStartRun(raw(cacheDir), async (policies) => {
      const [a, b, c] = ['a', 'b', 'c'].map((id) => policies.get(id) as TfjsTransformerPolicy);
      // One base object under all three adapters, replaced by the warm-started checkpoint.
      expect(a!.lora!.base).toBe(b!.lora!.base);
      expect(a!.lora!.base).toBe(c!.lora!.base);
      warmDir = a!.sharedBase()!.source;
      expect(warmDir.startsWith(join(cacheDir, 'warm-start'))).toBe(true);
      expect(existsSync(join(warmDir, 'config.json')) && existsSync(join(warmDir, 'model.safetensors'))).toBe(true);
      // The adapters were not trained: every B is still zero, so each agent runs the warm base exactly.
      for (const p of [a!, b!, c!]) {
        const bs = [...p.variables()].filter(([name]) => name.endsWith('lora_B.weight'));
        expect(bs.length).toBeGreaterThan(0);
        for (const [, v] of bs) expect(Math.max(...Array.from(v.dataSync(), Math.abs))).toBe(0);
      }
      // The saved base is a loadable full model: its scores are the adapters' scores.
      const full = await createTfjsTransformerPolicy({ path: warmDir, maxContextLength: 64 });
      const fresh = await createTfjsTransformerPolicy({ preset: 'tiny', tokenizer: 'char', maxContextLength: 64, seed: 12345 });
      try {
        for (const [p, id] of [[a!, 'a'], [b!, 'b'], [c!, 'c']] as const) {
          const warm = await meanLogp(p, id);
          expect(warm).toBeCloseTo(await meanLogp(full, id), 4);
          // Learned every agent's demonstrations (a random tiny model gives ~ -4.5 nats per character).
          expect(warm).toBeGreaterThan((await meanLogp(fresh, id)) + 1);
        }
      } finally {
        full.dispose();
        fresh.dispose();
      }
    });
    expect(row['warmstart/shared-base/demonstrations']).toBe(12);
    expect(row['warmstart/shared-base/policies']).toBe(3);
    expect(row['warmstart/shared-base/cache_hit']).toBe(0);
    expect(row['warmstart/a/cache_hit']).toBeUndefined();

    const again = await warmStartRun(raw(cacheDir), async (policies) => {
      expect((policies.get('a') as TfjsTransformerPolicy).sharedBase()!.source).toBe(warmDir);
    });
    expect(again['warmstart/shared-base/cache_hit']).toBe(1);

    // Another warm-start trainer setting is another base: a new cache entry.
    const other = await warmStartRun(raw(cacheDir, { warmStart: { trainer: { ...sft, lr: 0.02 } } }));
    expect(other['warmstart/shared-base/cache_hit']).toBe(0);
    expect(await readdir(join(cacheDir, 'warm-start'))).toHaveLength(2);
  }, 60_000);

  it('saved adapters name the warm base; loading one on a fresh policy puts that base back (resume)', async () => {
    const cacheDir = await tempDir('mappa-cache-');
    const saved = await tempDir('mappa-adapter-');
    let expected = 0;
    let warmDir = '';
    await warmStartRun(raw(cacheDir), async (policies) => {
      const a = policies.get('a') as TfjsTransformerPolicy;
      warmDir = a.sharedBase()!.source;
      await a.save(saved, { exact: true });
      expected = await meanLogp(a, 'a');
    });
    const config = JSON.parse(await readFile(join(saved, 'adapter_config.json'), 'utf8')) as { base_model_name_or_path: string };
    expect(config.base_model_name_or_path).toBe(warmDir);
    // A new process rebuilds the base from the preset; the checkpoint's mappa_policy.json brings the warm base back.
    const fresh = await createTfjsTransformerPolicy({ preset: 'tiny', tokenizer: 'char', maxContextLength: 64, seed: 99, base: 'resume-test', lora: { r: 4, alpha: 8 } });
    try {
      expect(await meanLogp(fresh, 'a')).not.toBeCloseTo(expected, 3);
      await fresh.load(saved);
      expect(fresh.sharedBase()!.source).toBe(warmDir);
      expect(await meanLogp(fresh, 'a')).toBeCloseTo(expected, 5);
    } finally {
      fresh.dispose();
    }
  }, 60_000);

  it('refuses bad settings with errors that name the field', async () => {
    const cacheDir = await tempDir('mappa-cache-');
    const bad = await validate(raw(cacheDir, { warmStart: { base: 'own' } }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.path)).toContainEqual(expect.stringContaining('warmStart.base'));
    const full = { use: 'tfjs-transformer', preset: 'tiny', tokenizer: 'char', maxContextLength: 64, maxNewTokens: 4 };
    await expect(warmStartRun(raw(cacheDir, { policies: { a: loraPolicy, b: full, c: loraPolicy } }))).rejects.toThrow(
      /warmStart\.base: shared, but policy "b" is not an adapter on a shared base/,
    );
  }, 60_000);
});
