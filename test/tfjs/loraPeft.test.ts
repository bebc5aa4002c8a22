import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { encodeSafetensors } from '../../plugins/policies/tfjs-transformer/safetensors.js';
import { FP32_MODELS, hfTinyDir, maxAbsDiff, readAllTensors } from './hfTinyFixtures.js';

const fixtures = hfTinyDir();
const script = fileURLToPath(new URL('./peft_lora_reference.py', import.meta.url));
const PYTHON = '/usr/bin/python3';
const { tf } = await loadTf();
const IDS = [
  [1, 5, 9, 200, 300, 7, 11, 13],
  [4, 8, 15, 16, 23, 42, 99, 3],
];

const temps: string[] = [];
const children = new Set<ResultPromise>();
afterAll(async () => {
  // Stop any helper still running (a timed-out test), by PID.
  for (const c of children) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
  for (const d of temps) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'mappa-lora-'));
  temps.push(d);
  return d;
}
async function python(...args: string[]): Promise<string> {
  const child = execa(PYTHON, [script, ...args], { timeout: 60_000, env: { OMP_NUM_THREADS: '1' } });
  children.add(child);
  try {
    return (await child).stdout;
  } finally {
    children.delete(child);
  }
}

const torchCheck = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const haveTorch = torchCheck.status === 0;
if (!haveTorch) console.warn(`skipping the PEFT/PyTorch round trip: \`${PYTHON} -c "import torch"\` failed (${(torchCheck.stderr || String(torchCheck.error)).trim().split('\n').at(-1)}); install python3-torch`);

function logits(f: (ids: import('@tensorflow/tfjs-core').Tensor2D, mask: import('@tensorflow/tfjs-core').Tensor2D) => import('@tensorflow/tfjs-core').Tensor3D): Float32Array {
  return tf.tidy(() => f(tf.tensor2d(IDS, undefined, 'int32'), tf.ones([IDS.length, IDS[0]!.length])).dataSync() as Float32Array).slice();
}

const CASES: Record<(typeof FP32_MODELS)[number], { targets: string; rslora: boolean }> = {
  'llama-tiny': { targets: 'q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj', rslora: false },
  'qwen2-tiny': { targets: 'q_proj,k_proj,v_proj,o_proj', rslora: true },
  'qwen3-tiny': { targets: 'q_proj,v_proj,up_proj,down_proj', rslora: false },
};

describe.skipIf(!haveTorch)('PEFT adapters round trip with a PyTorch reference', () => {
  for (const name of FP32_MODELS) {
    it(`${name}: an adapter written by the PEFT-layout script scores like torch; one mappa saves gives torch the same logits`, async () => {
      const base = join(fixtures, name);
      const { targets, rslora } = CASES[name];
      const dir = await tempDir();
      await python('make-adapter', base, dir, '4', '8', targets, '1', String(rslora));
      const full = await createTfjsTransformerPolicy({ path: base });
      const adapted = await full.withAdapter(dir);
      const torchLogits = (JSON.parse(await python('logits', base, dir, JSON.stringify(IDS))) as { logits: number[] }).logits;
      const ours = logits((i, m) => adapted.forward(i, m));
      const scale = Math.max(...torchLogits.map(Math.abs));
      expect(maxAbsDiff(ours, torchLogits)).toBeLessThan(1e-5 * Math.max(1, scale));
      expect(maxAbsDiff(ours, logits((i, m) => full.forward(i, m)))).toBeGreaterThan(1e-3);
      // The inference path (fused projections) agrees too.
      const snap = adapted.snapshot();
      expect(maxAbsDiff(logits((i, m) => snap.forward(i, m)), torchLogits)).toBeLessThan(1e-5 * Math.max(1, scale));
      snap.dispose();
      adapted.dispose();
      full.dispose();

      // mappa → PEFT: train-like random B, save, and let torch read it back.
      const lora = await createTfjsTransformerPolicy({ path: base, lora: { r: 3, alpha: 6, rslora, targets: targets.split(',') as never, seed: 4 } });
      let k = 0;
      for (const [n, v] of lora.variables()) if (n.endsWith('lora_B.weight')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.05, 'float32', k++)));
      lora.markUpdated();
      const out = await tempDir();
      await lora.save(out);
      const cfg = JSON.parse(await readFile(join(out, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
      expect(cfg).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 3, lora_alpha: 6, bias: 'none', use_rslora: rslora, use_dora: false, modules_to_save: null });
      const keys = [...(await readAllTensors(join(out, 'adapter_model.safetensors'))).keys()];
      expect(keys).toContain('base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight');
      expect(keys).toContain('base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight');
      const back = (JSON.parse(await python('logits', base, out, JSON.stringify(IDS))) as { logits: number[] }).logits;
      expect(maxAbsDiff(logits((i, m) => lora.forward(i, m)), back)).toBeLessThan(1e-5 * Math.max(1, scale));
      lora.dispose();
    });
  }
});

describe('PEFT adapter files: bad input names the file and the key', () => {
  const base = join(fixtures, 'llama-tiny');
  async function adapterDir(): Promise<string> {
    const policy = await createTfjsTransformerPolicy({ path: base, lora: { r: 2, targets: ['q_proj', 'v_proj'] } });
    const dir = await tempDir();
    await policy.save(dir);
    policy.dispose();
    return dir;
  }
  async function edit(dir: string, change: (c: Record<string, unknown>) => void): Promise<void> {
    const f = join(dir, 'adapter_config.json');
    const c = JSON.parse(await readFile(f, 'utf8')) as Record<string, unknown>;
    change(c);
    await writeFile(f, JSON.stringify(c));
  }
  const attach = async (dir: string, model = base) => {
    const p = await createTfjsTransformerPolicy({ path: model });
    try {
      (await p.withAdapter(dir)).dispose();
    } finally {
      p.dispose();
    }
  };

  it('a saved adapter loads back (control)', async () => {
    await expect(attach(await adapterDir())).resolves.toBeUndefined();
  });
  it('DoRA and modules_to_save are refused (vLLM refuses them too)', async () => {
    const d1 = await adapterDir();
    await edit(d1, (c) => (c['use_dora'] = true));
    await expect(attach(d1)).rejects.toThrow(/adapter_config\.json: "use_dora" is true/);
    const d2 = await adapterDir();
    await edit(d2, (c) => (c['modules_to_save'] = ['lm_head']));
    await expect(attach(d2)).rejects.toThrow(/adapter_config\.json: "modules_to_save" is \["lm_head"\]/);
  });
  it('an unknown target module', async () => {
    const d = await adapterDir();
    await edit(d, (c) => (c['target_modules'] = ['q_proj', 'c_attn']));
    await expect(attach(d)).rejects.toThrow(/adapter_config\.json: "target_modules" lists unknown module "c_attn"/);
  });
  it('a rank that does not match the tensors, and tensors that do not match the base', async () => {
    const d = await adapterDir();
    await edit(d, (c) => (c['r'] = 4));
    await expect(attach(d)).rejects.toThrow(/adapter_model\.safetensors: tensor 'base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_A\.weight' has shape \[2, 64\] but r = 4/);
    // Same adapter on qwen3-tiny: its q_proj has another width (head_dim 16 × 4 heads = 64, k/v 32): v_proj B is [32, 2]
    // on both, so take a base with another hidden size instead: a rewritten tensor.
    const d2 = await adapterDir();
    const f = join(d2, 'adapter_model.safetensors');
    const all = await readAllTensors(f);
    const key = 'base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight';
    all.set(key, { ...all.get(key)!, shape: [64, 2], data: new Float32Array(128) });
    await writeFile(f, encodeSafetensors([...all].map(([n, t]) => ({ name: n, shape: t.shape, data: t.data as Float32Array })), 'float32'));
    await expect(attach(d2)).rejects.toThrow(new RegExp(`tensor '${key.replace(/\./g, '\\.')}' has shape \\[64, 2\\]`));
  });
  it('a tensor for a module outside target_modules', async () => {
    const d = await adapterDir();
    await edit(d, (c) => (c['target_modules'] = ['q_proj']));
    await expect(attach(d)).rejects.toThrow(/tensor 'base_model\.model\.model\.layers\.0\.self_attn\.v_proj\.lora_A\.weight' is an adapter for a module not listed in target_modules/);
  });
  it('a base whose architecture differs from base_model_name_or_path\'s config', async () => {
    const d = await adapterDir();
    const other = await tempDir();
    await cp(base, other, { recursive: true });
    await edit(d, (c) => (c['base_model_name_or_path'] = other));
    const cfg = JSON.parse(await readFile(join(other, 'config.json'), 'utf8')) as Record<string, unknown>;
    cfg['num_hidden_layers'] = 3;
    await writeFile(join(other, 'config.json'), JSON.stringify(cfg));
    await expect(attach(d)).rejects.toThrow(new RegExp(`"base_model_name_or_path" is ${other}, whose .*config\\.json has num_hidden_layers 3, but the base it is loaded on has 2`));
  });
  it('a full policy refuses to load an adapter directory, a LoRA policy one of another shape', async () => {
    const d = await adapterDir();
    const p = await createTfjsTransformerPolicy({ path: base });
    await expect(p.load(d)).rejects.toThrow(/holds a LoRA adapter, but policy .* is a full model/);
    p.dispose();
    const l = await createTfjsTransformerPolicy({ path: base, lora: { r: 4, targets: ['q_proj', 'v_proj'] } });
    await expect(l.load(d)).rejects.toThrow(/adapter_config\.json: "r" is 2 but policy .* has 4/);
    l.dispose();
  });
});
