import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { nextTokenLogprobs } from '../../plugins/policies/tfjs-transformer/nextTokenLogprobs.js';
import { readCheckpointInfo } from '../../plugins/policies/tfjs-transformer/hfCheckpoint.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { nativeMatmulStats } from '../../plugins/tfjs/nativeMatmul.js';
import { FP32_MODELS, HALF_MODELS, hfTinyDir, maxAbsDiff, readAllTensors, readJsonFile } from './hfTinyFixtures.js';

const dir = hfTinyDir();
const versions = readJsonFile<{ torch: string; transformers: string }>(join(dir, 'versions.json'));

interface Golden {
  input_ids: number[][];
  loss: number;
  greedy: { prompt_ids: number[]; output_ids: number[] };
  param_names: string[];
  n_params: number;
}
interface TokenizerGolden {
  encodings: Array<{ text: string; ids: number[] }>;
  decode_roundtrip: string[];
  chat: { messages: Array<{ role: 'system' | 'user'; content: string }>; text: string; ids: number[] };
}

async function logitsOf(model: string) {
  const { tf } = await loadTf();
  const policy = await createTfjsTransformerPolicy({ path: join(dir, model) });
  const io = await readAllTensors(join(dir, model, 'golden_io.safetensors'));
  const ids = io.get('input_ids')!;
  const [b, t] = ids.shape as [number, number];
  const { logits, lps } = tf.tidy(() => {
    const input = tf.tensor2d(ids.data as Int32Array, [b, t], 'int32');
    const l = policy.forward(input, tf.ones([b, t]));
    return { logits: l.dataSync().slice(), lps: nextTokenLogprobs(tf, l, input).dataSync().slice() };
  });
  policy.dispose();
  return { io, logits, lps, ids: Array.from(ids.data), shape: [b, t] };
}

describe(`hf-tiny golden fixtures (transformers ${versions.transformers})`, () => {
  // nativeMatmulPaths.test.ts runs this file with MAPPA_NATIVE_MATMUL=1 and =0: check the forced path is the one used.
  it.runIf(process.env['MAPPA_NATIVE_MATMUL'] === '1' || process.env['MAPPA_NATIVE_MATMUL'] === '0')('runs BatchMatMul on the path MAPPA_NATIVE_MATMUL forces', async () => {
    const { matmul } = await loadTf();
    expect(matmul.path).toBe(process.env['MAPPA_NATIVE_MATMUL'] === '1' ? 'openblas' : 'wasm');
  });
  afterAll(() => {
    // Every BatchMatMul of the checks above went through OpenBLAS when forced on (none fell back to the stock kernel).
    if (process.env['MAPPA_NATIVE_MATMUL'] === '1') {
      const stats = nativeMatmulStats();
      expect(stats.native).toBeGreaterThan(100);
      expect(stats.fallbacks).toBe(0);
    }
  });
  for (const model of FP32_MODELS) {
    describe(model, () => {
      const golden = readJsonFile<Golden>(join(dir, model, 'golden.json'));

      it('reproduces logits and next-token log-probs within 1e-4', async () => {
        const { io, logits, lps, ids } = await logitsOf(model);
        expect(ids).toEqual(golden.input_ids.flat());
        expect(maxAbsDiff(logits, io.get('logits')!.data)).toBeLessThan(1e-4);
        expect(maxAbsDiff(lps, io.get('next_token_logprobs')!.data)).toBeLessThan(1e-4);
      });

      it('exposes the Hugging Face parameter names and count', async () => {
        const policy = await createTfjsTransformerPolicy({ path: join(dir, model) });
        expect([...policy.variables().keys()].sort()).toEqual([...golden.param_names].sort());
        let n = 0;
        for (const v of policy.variables().values()) n += v.size;
        expect(n).toBe(golden.n_params);
        policy.dispose();
      });

      it('matches the loss and per-parameter gradients (relative norm < 1e-4)', async () => {
        const { tf } = await loadTf();
        const policy = await createTfjsTransformerPolicy({ path: join(dir, model) });
        const io = await readAllTensors(join(dir, model, 'golden_io.safetensors'));
        const ref = await readAllTensors(join(dir, model, 'golden_grads.safetensors'));
        const [b, t] = io.get('input_ids')!.shape as [number, number];
        const input = tf.tensor2d(io.get('input_ids')!.data as Int32Array, [b, t], 'int32');
        const lossMask = tf.tensor2d(io.get('loss_mask')!.data as Float32Array, [b, t - 1]);
        const vars = [...policy.variables().values()];
        const { value, grads } = tf.variableGrads(() => {
          const lp = nextTokenLogprobs(tf, policy.forward(input, tf.ones([b, t])), input);
          return tf.neg(tf.div(tf.sum(tf.mul(lp, lossMask)), tf.sum(lossMask))) as never;
        }, vars);
        expect(Math.abs(value.dataSync()[0]! - golden.loss)).toBeLessThan(1e-4);
        expect(Object.keys(grads)).toHaveLength(vars.length);
        const byVar = new Map(vars.map((v) => [v.name, v]));
        const names = new Map([...policy.variables()].map(([n, v]) => [v.name, n]));
        for (const [varName, g] of Object.entries(grads)) {
          const name = names.get(varName)!;
          const expected = ref.get(name);
          expect(expected, name).toBeDefined();
          expect(g.shape).toEqual(expected!.shape);
          const got = g.dataSync();
          let diff = 0;
          let norm = 0;
          for (let i = 0; i < got.length; i++) {
            diff += (got[i]! - expected!.data[i]!) ** 2;
            norm += expected!.data[i]! ** 2;
          }
          expect(Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12), name).toBeLessThan(1e-4);
          expect(byVar.has(varName)).toBe(true);
        }
        tf.dispose([value, input, lossMask, ...Object.values(grads)]);
        policy.dispose();
      });

      it('renders the golden chat prompt and continues it greedily token for token, with and without the KV cache', async () => {
        const tokGolden = readJsonFile<TokenizerGolden>(join(dir, 'tokenizer', 'golden.json'));
        for (const useKvCache of [true, false]) {
          const policy = await createTfjsTransformerPolicy({ path: join(dir, model), useKvCache });
          expect(policy.contextIds(tokGolden.chat.messages)).toEqual(golden.greedy.prompt_ids);
          const n = golden.greedy.output_ids.length - golden.greedy.prompt_ids.length;
          const g = await policy.generateFromIds({ contextIds: golden.greedy.prompt_ids, seed: 0, sampling: { greedy: true, maxNewTokens: n }, ignoreEos: true });
          expect([...g.contextIds, ...g.tokenIds]).toEqual(golden.greedy.output_ids);
          expect(g.finishReason).toBe('length');
          policy.dispose();
        }
      });
    });
  }

  for (const [model, base] of Object.entries(HALF_MODELS)) {
    it(`${model}: half-precision weights upcast to float32 reproduce logits and log-probs within 1e-4`, async () => {
      const golden = readJsonFile<{ stored_dtype: string; input_ids: number[][] }>(join(dir, model, 'golden.json'));
      const info = await readCheckpointInfo(join(dir, model));
      expect(`torch.${info.dtype}`).toBe(golden.stored_dtype);
      const { io, logits, lps, ids } = await logitsOf(model);
      expect(ids).toEqual(golden.input_ids.flat());
      expect(maxAbsDiff(logits, io.get('logits')!.data)).toBeLessThan(1e-4);
      expect(maxAbsDiff(lps, io.get('next_token_logprobs')!.data)).toBeLessThan(1e-4);
      // The cast really changed the weights: the fp32 model's logits differ.
      const fp32 = await readAllTensors(join(dir, base, 'golden_io.safetensors'));
      expect(maxAbsDiff(logits, fp32.get('logits')!.data)).toBeGreaterThan(1e-4);
    });
  }

  it('tokenizer: ids, decoding and chat rendering identical to transformers', async () => {
    const tokGolden = readJsonFile<TokenizerGolden>(join(dir, 'tokenizer', 'golden.json'));
    const info = await readCheckpointInfo(join(dir, 'llama-tiny'));
    const { TextTokenizer } = await import('../../plugins/policies/tfjs-transformer/TextTokenizer.js');
    const { readTokenizerFiles } = await import('../../plugins/policies/tfjs-transformer/hfCheckpoint.js');
    const tok = new TextTokenizer(await readTokenizerFiles(join(dir, 'tokenizer')), 'tokenizer');
    expect(tok.size).toBe((tokGolden as unknown as { vocab_size: number }).vocab_size);
    for (const [i, e] of tokGolden.encodings.entries()) {
      expect(tok.encode(e.text)).toEqual(e.ids);
      expect(info.tokenizer.encode(e.text)).toEqual(e.ids);
      expect(tok.decode(e.ids)).toBe(tokGolden.decode_roundtrip[i]);
    }
    expect(tok.renderChat(tokGolden.chat.messages, true)).toBe(tokGolden.chat.text);
    expect(tok.encode(tokGolden.chat.text)).toEqual(tokGolden.chat.ids);
    // generation_config.json's EOS (llama: 2 = <|im_end|>) is a stop token.
    expect(info.generation.eosTokenIds).toContain(2);
  });
});
