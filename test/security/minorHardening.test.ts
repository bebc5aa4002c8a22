import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { latestCheckpoint } from '../../core/runner/checkpointDirs.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { SafetensorsReader } from '../../plugins/policies/tfjs-transformer/safetensors.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { startFakeServer } from '../fakes/fakeOpenAIServer.js';
import { providerReply } from '../fakes/fakeProviderResponses.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';
import { FAST_RETRY, uniqueModel } from '../coaches/coachFixtures.js';
import { hfTinyDir } from '../tfjs/hfTinyFixtures.js';

/* Issue 18 item 16: overlapping safetensors offsets, shard paths outside the checkpoint, coach counters across resume. */

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function temp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'mappa-minor-'));
  dirs.push(d);
  return d;
}

function safetensors(header: Record<string, unknown>, dataBytes: number): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.alloc(dataBytes)]);
}

describe('minor hardening (issue 18 item 16)', () => {
  it('tensors with overlapping data offsets are refused', async () => {
    const dir = await temp();
    const file = join(dir, 'model.safetensors');
    await writeFile(file, safetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } }, 24));
    await expect(SafetensorsReader.open(file)).rejects.toThrow(/overlap/);
  });

  it('a sharded index that points outside the checkpoint directory is refused', async () => {
    const dir = join(await temp(), 'ckpt');
    await cp(join(hfTinyDir(), 'llama-tiny'), dir, { recursive: true });
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { 'model.norm.weight': '../outside.safetensors' } }));
    await expect(createTfjsTransformerPolicy({ path: dir })).rejects.toThrow(/outside\.safetensors.*(outside|not a file name)/);
  });

  it('coach counters continue after a resume instead of restarting at 0', async () => {
    const server = await startFakeServer(() => providerReply('openai', 'Fine.\nPROCESS_SCORE: 6', { input: 10, output: 2 }));
    try {
      const dir = await temp();
      const runDir = join(dir, 'run');
      const model = uniqueModel();
      const pipeline = async (steps: number) => {
        const registry = createBuiltinRegistry();
        registry.registerAll(fakePlugins().defs, 'test');
        const coach = { use: 'openai', baseURL: `${server.url}/v1`, model, template: 'builtin:generic', retry: FAST_RETRY, cache: false };
        const r = await validatePipeline(tinyPipeline({ coach, run: { steps, tasksPerStep: 1, samplesPerTask: 1, eval: { every: 0 }, checkpointEvery: 1, report: false, cacheDir: join(dir, 'cache') } }), { registry, baseDir: TINY_DIR });
        if (!r.ok) throw new Error(JSON.stringify(r.issues));
        return r.pipeline;
      };
      const first = await createRun({ pipeline: await pipeline(2), runDir, logger: silentLogger });
      const s1 = await first.runner.train();
      await first.dispose();
      const calls2 = s1.metrics.find((m) => m.step === 2)!['coach/calls'] as number;
      expect(calls2).toBeGreaterThan(0);
      const second = await createRun({ pipeline: await pipeline(3), runDir, logger: silentLogger });
      const s2 = await second.runner.train({ resumeFrom: latestCheckpoint(runDir)! });
      await second.dispose();
      const calls3 = s2.metrics.find((m) => m.step === 3)!['coach/calls'] as number;
      expect(calls3).toBeGreaterThan(calls2);
    } finally {
      await server.close();
    }
  });
});
