import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { SafetensorsReader, encodeSafetensors } from '../../plugins/policies/tfjs-transformer/safetensors.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { hfTinyDir, maxAbsDiff, readAllTensors } from './hfTinyFixtures.js';

const fixtures = hfTinyDir();
const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

async function copyFixture(model = 'llama-tiny'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mappa-tfjs-'));
  temps.push(dir);
  await cp(join(fixtures, model), dir, { recursive: true });
  return dir;
}

async function editJson(file: string, edit: (j: Record<string, unknown>) => void): Promise<void> {
  const j = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(j);
  await writeFile(file, JSON.stringify(j));
}

/** Rewrites model.safetensors through `edit` (name → tensor data/shape). */
async function editWeights(dir: string, edit: (t: Map<string, { shape: number[]; data: Float32Array }>) => void): Promise<void> {
  const all = await readAllTensors(join(dir, 'model.safetensors'));
  const m = new Map([...all].map(([k, v]) => [k, { shape: [...v.shape], data: v.data as Float32Array }]));
  edit(m);
  await writeFile(join(dir, 'model.safetensors'), encodeSafetensors([...m].map(([name, t]) => ({ name, ...t })), 'float32'));
}

async function logits(dir: string): Promise<Float32Array> {
  const { tf } = await loadTf();
  const p = await createTfjsTransformerPolicy({ path: dir });
  const out = tf.tidy(() => p.forward(tf.tensor2d([[1, 5, 9, 200, 300, 7]], [1, 6], 'int32'), tf.ones([1, 6])).dataSync().slice() as Float32Array);
  p.dispose();
  return out;
}

const load = (dir: string) => createTfjsTransformerPolicy({ path: dir });

describe('Hugging Face checkpoints: bad input gives clear errors naming the file', () => {
  it('unsupported model_type lists the supported ones', async () => {
    const dir = await copyFixture();
    await editJson(join(dir, 'config.json'), (j) => (j['model_type'] = 'gpt2'));
    await expect(load(dir)).rejects.toThrow(/config\.json: model_type "gpt2" is not supported/);
    await expect(load(dir)).rejects.toMatchObject({ hint: expect.stringMatching(/llama, qwen2, qwen3/) });
  });

  it('unsupported architecture', async () => {
    const dir = await copyFixture();
    await editJson(join(dir, 'config.json'), (j) => (j['architectures'] = ['LlamaForSequenceClassification']));
    await expect(load(dir)).rejects.toThrow(/config\.json: architectures .*LlamaForSequenceClassification.* not supported/);
  });

  it('missing tensor', async () => {
    const dir = await copyFixture();
    await editWeights(dir, (t) => t.delete('model.layers.1.mlp.up_proj.weight'));
    await expect(load(dir)).rejects.toThrow(/model\.safetensors: missing tensor 'model\.layers\.1\.mlp\.up_proj\.weight'/);
  });

  it('misnamed tensor', async () => {
    const dir = await copyFixture();
    await editWeights(dir, (t) => {
      t.set('model.layer.0.self_attn.q_proj.weight', t.get('model.layers.0.self_attn.q_proj.weight')!);
      t.delete('model.layers.0.self_attn.q_proj.weight');
    });
    await expect(load(dir)).rejects.toThrow(/missing tensor 'model\.layers\.0\.self_attn\.q_proj\.weight'.*unexpected 'model\.layer\.0\.self_attn\.q_proj\.weight' \(misnamed\?\)/);
  });

  it('shape that does not match the config', async () => {
    const dir = await copyFixture();
    await editJson(join(dir, 'config.json'), (j) => (j['intermediate_size'] = 96));
    await expect(load(dir)).rejects.toThrow(/model\.safetensors: tensor 'model\.layers\.0\.mlp\.gate_proj\.weight' has shape \[128, 64\] but config\.json implies \[96, 64\]/);
  });

  it('truncated safetensors file', async () => {
    const dir = await copyFixture();
    await truncate(join(dir, 'model.safetensors'), 300_000);
    await expect(load(dir)).rejects.toThrow(/model\.safetensors: not a valid safetensors file \(tensor '.*' ends at byte \d+ of the data section, which has only \d+ bytes \(truncated file\?\)\)/);
    await truncate(join(dir, 'model.safetensors'), 5);
    await expect(load(dir)).rejects.toThrow(/model\.safetensors: not a valid safetensors file \(5 bytes/);
  });

  it('corrupt safetensors header', async () => {
    const dir = await copyFixture();
    const file = join(dir, 'model.safetensors');
    const bytes = await readFile(file);
    bytes.write('#', 8);
    await writeFile(file, bytes);
    await expect(load(dir)).rejects.toThrow(/model\.safetensors: not a valid safetensors file \(header is not JSON\)/);
    const huge = Buffer.from(bytes);
    huge.writeBigUInt64LE(10n ** 12n, 0);
    await writeFile(file, huge);
    await expect(load(dir)).rejects.toThrow(/header length .* is implausible/);
  });

  it('tokenizer that does not match the embedding size', async () => {
    const dir = await copyFixture();
    await editJson(join(dir, 'config.json'), (j) => (j['vocab_size'] = 300));
    await editWeights(dir, (t) => {
      for (const n of ['model.embed_tokens.weight', 'lm_head.weight']) t.set(n, { shape: [300, 64], data: t.get(n)!.data.slice(0, 300 * 64) });
    });
    await expect(load(dir)).rejects.toThrow(/tokenizer\.json: the tokenizer has 512 tokens but the model's embedding has vocab_size 300/);
  });

  it('missing config.json, tokenizer.json or chat template', async () => {
    const dir = await copyFixture();
    await rm(join(dir, 'chat_template.jinja'));
    await expect(load(dir)).rejects.toThrow(/no chat template/);
    await rm(join(dir, 'tokenizer.json'));
    await expect(load(dir)).rejects.toThrow(/tokenizer\.json: cannot read \(ENOENT\)/);
    await rm(join(dir, 'config.json'));
    await expect(load(dir)).rejects.toThrow(/config\.json: cannot read \(ENOENT\)/);
    await expect(load(join(dir, 'nope'))).rejects.toThrow(/nope\/config\.json: cannot read/);
  });
});

describe('Hugging Face checkpoints: layouts and round trips', () => {
  it('takes sampling defaults and EOS ids from generation_config.json', async () => {
    const dir = await copyFixture('qwen2-tiny');
    const messages = [{ role: 'user' as const, content: 'What is 3 + 4?' }];
    const plain = await load(dir);
    const greedy = await plain.generate({ messages, seed: 0, sampling: { greedy: true, maxNewTokens: 12 } });
    const sampled = await plain.generate({ messages, seed: 0, sampling: { maxNewTokens: 12 } });
    expect(sampled.tokenIds).not.toEqual(greedy.tokenIds);
    plain.dispose();
    // top_k 1 makes default sampling greedy; the greedy continuation's 3rd token becomes an EOS id.
    await editJson(join(dir, 'generation_config.json'), (j) => {
      j['top_k'] = 1;
      j['eos_token_id'] = [greedy.tokenIds[2]];
    });
    const configured = await load(dir);
    expect(configured.eosTokenIds).toContain(greedy.tokenIds[2]);
    const g = await configured.generate({ messages, seed: 0, sampling: { maxNewTokens: 12 } });
    expect(g.tokenIds).toEqual(greedy.tokenIds.slice(0, greedy.tokenIds.indexOf(greedy.tokenIds[2]!) + 1));
    expect(g.finishReason).toBe('stop');
    configured.dispose();
  });

  it('reads the older top-level rope_theta form and a sharded index like the single file', async () => {
    const ref = await logits(join(fixtures, 'llama-tiny'));
    const dir = await copyFixture();
    await editJson(join(dir, 'config.json'), (j) => {
      j['rope_theta'] = (j['rope_parameters'] as { rope_theta: number }).rope_theta;
      delete j['rope_parameters'];
    });
    const all = await readAllTensors(join(dir, 'model.safetensors'));
    const names = [...all.keys()];
    const shards = [names.slice(0, 7), names.slice(7)];
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      await writeFile(join(dir, file), encodeSafetensors(shard.map((n) => ({ name: n, shape: all.get(n)!.shape, data: all.get(n)!.data })), 'float32'));
      for (const n of shard) weightMap[n] = file;
    }
    await rm(join(dir, 'model.safetensors'));
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    expect(maxAbsDiff(await logits(dir), ref)).toBe(0);
    // A different theta changes the model: the field is really read.
    await editJson(join(dir, 'config.json'), (j) => (j['rope_theta'] = 500));
    expect(maxAbsDiff(await logits(dir), ref)).toBeGreaterThan(1e-5);
  });

  it('save → load keeps weights exactly in float32 and rounds them in bfloat16/float16; Qwen biases and tied embeddings survive', async () => {
    for (const model of ['qwen2-tiny', 'qwen3-tiny']) {
      const ref = await logits(join(fixtures, model));
      const out = await mkdtemp(join(tmpdir(), 'mappa-save-'));
      temps.push(out);
      const p = await load(join(fixtures, model));
      await p.save(out);
      p.dispose();
      expect(maxAbsDiff(await logits(out), ref)).toBe(0);
      const saved = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(saved['model_type']).toBe(model.split('-')[0]);
      expect(saved['tie_word_embeddings']).toBe(true);
      expect(saved['rope_parameters']).toEqual({ rope_theta: 10000, rope_type: 'default' });
    }
    for (const dtype of ['bfloat16', 'float16'] as const) {
      const out = await mkdtemp(join(tmpdir(), 'mappa-save-'));
      temps.push(out);
      const p = await createTfjsTransformerPolicy({ path: join(fixtures, 'llama-tiny'), dtype });
      await p.save(out);
      const original = await readAllTensors(join(fixtures, 'llama-tiny', 'model.safetensors'));
      const r = await SafetensorsReader.open(join(out, 'model.safetensors'));
      expect(r.entries.get('lm_head.weight')!.dtype).toBe(dtype === 'bfloat16' ? 'BF16' : 'F16');
      const back = await r.read('lm_head.weight');
      await r.close();
      const diff = maxAbsDiff(back.data, original.get('lm_head.weight')!.data);
      expect(diff).toBeGreaterThan(0);
      expect(diff).toBeLessThan(dtype === 'bfloat16' ? 4e-4 : 1e-4);
      // Checkpoints ask for an exact copy: float32 whatever the export dtype, so a resume continues bit for bit.
      const exact = await mkdtemp(join(tmpdir(), 'mappa-save-'));
      temps.push(exact);
      await p.save(exact, { exact: true });
      const e = await SafetensorsReader.open(join(exact, 'model.safetensors'));
      expect(e.entries.get('lm_head.weight')!.dtype).toBe('F32');
      expect(maxAbsDiff((await e.read('lm_head.weight')).data, original.get('lm_head.weight')!.data)).toBe(0);
      await e.close();
      p.dispose();
    }
    const bf = await mkdtemp(join(tmpdir(), 'mappa-save-'));
    temps.push(bf);
    const p = await load(join(fixtures, 'llama-tiny-bfloat16'));
    await p.save(bf);
    p.dispose();
    // bf16 → float32 → bf16 is lossless.
    const resaved = await readAllTensors(join(bf, 'model.safetensors'));
    const stored = await readAllTensors(join(fixtures, 'llama-tiny-bfloat16', 'model.safetensors'));
    expect([...resaved.keys()].sort()).toEqual([...stored.keys()].sort());
    for (const [name, t] of stored) {
      expect(resaved.get(name)!.dtype).toBe('BF16');
      expect(maxAbsDiff(resaved.get(name)!.data, t.data), name).toBe(0);
    }
  });

  it('load() replaces the weights and restores the policy version; a fresh process reads the saved checkpoint', async () => {
    const a = await createTfjsTransformerPolicy({ preset: 'tiny', seed: 1, maxContextLength: 128 });
    const b = await createTfjsTransformerPolicy({ preset: 'tiny', seed: 2, maxContextLength: 128 });
    a.markUpdated();
    a.markUpdated();
    const dir = await mkdtemp(join(tmpdir(), 'mappa-save-'));
    temps.push(dir);
    await a.save(dir);
    const ids = [260, 50, 43, 51, 61, 258, 261];
    const [ref] = await a.score([{ contextIds: ids.slice(0, 1), continuationIds: ids.slice(1) }]);
    const [before] = await b.score([{ contextIds: ids.slice(0, 1), continuationIds: ids.slice(1) }]);
    expect(maxAbsDiff(before!, ref!)).toBeGreaterThan(1e-4);
    await b.load(dir);
    expect(b.version).toBe(2);
    const [after] = await b.score([{ contextIds: ids.slice(0, 1), continuationIds: ids.slice(1) }]);
    expect(maxAbsDiff(after!, ref!)).toBe(0);
    const small = await createTfjsTransformerPolicy({ preset: 'small', maxContextLength: 128 });
    await expect(small.load(dir)).rejects.toThrow(/hiddenSize is 64 but policy .* has 128/);
    const child = await execa(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cliEntry.ts'), 'model', 'score', '--model', dir, '--ids', ids.join(',')], { reject: false });
    expect(child.exitCode, child.stderr).toBe(0);
    const printed = JSON.parse(child.stdout) as { nextTokenLogprobs: number[] };
    expect(maxAbsDiff(printed.nextTokenLogprobs, ref!)).toBeLessThan(1e-6);
    for (const p of [a, b, small]) p.dispose();
  });
});
