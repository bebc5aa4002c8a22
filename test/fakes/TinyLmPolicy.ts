import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import type { GenerateRequest, Generation } from '../../core/contracts/Policy.js';
import type { Message } from '../../core/model/Message.js';
import { Rng } from '../../core/util/Rng.js';
import type { FrozenModel, TrainablePolicy } from '../../plugins/policies/tfjs-transformer/TrainablePolicy.js';
import type { Tf } from '../../plugins/tfjs/loadTf.js';

export interface TinyLmOptions {
  readonly id: string;
  readonly vocabSize?: number;
  readonly dim?: number;
  /** 0 = a bigram MLP (logits depend on the current token only); ≥ 1 adds causal single-head attention blocks. */
  readonly layers?: number;
  readonly seed?: number;
  /** Initial logit bias of the EOS token, so random models stop on their own. */
  readonly eosBias?: number;
  readonly maxNewTokens?: number;
}

const PAD = 0;
const EOS = 1;
/** Digits first so every vocabulary size keeps them (the fake coach scores digits). */
const ALPHABET = '0123456789 abcdefghijklmnopqrstuvwxyz.,:;!?()+-*/=<>_\n';

type Weights = ReadonlyMap<string, TF.Tensor>;
let instanceCount = 0;

/**
 * A deterministic tiny language model implementing TrainablePolicy, for trainer tests and benchmarks until the real
 * tfjs-transformer lands: character vocabulary, one-hot embeddings (no gather, so it trains on wasm), optional causal
 * attention blocks, a tanh read-out. Weights are initialised from a seed with our own RNG.
 */
export class TinyLmPolicy implements TrainablePolicy {
  readonly trainable = true as const;
  readonly vocabSize: number;
  readonly padTokenId = PAD;
  readonly eosTokenId = EOS;
  version = 0;
  readonly #vars = new Map<string, TF.Variable>();
  readonly #o: Required<TinyLmOptions>;
  readonly #mm: (a: TF.Tensor, b: TF.Tensor) => TF.Tensor;

  constructor(
    private readonly tf: Tf,
    options: TinyLmOptions,
  ) {
    this.#o = { vocabSize: 64, dim: 32, layers: 0, seed: 0, eosBias: 2, maxNewTokens: 8, ...options };
    this.vocabSize = this.#o.vocabSize;
    const { vocabSize: V, dim: d, layers } = this.#o;
    // tfjs variable names are process-global; the counter keeps them unique across instances.
    const instances = ++instanceCount;
    const rng = Rng.fromSeed(this.#o.seed);
    const normal = (shape: number[], std: number) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = std * Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      return tf.tensor(data, shape);
    };
    const add = (name: string, t: TF.Tensor) => {
      this.#vars.set(name, tf.variable(t, true, `${options.id}/${name}/${instances}`));
      t.dispose();
    };
    add('model.embed_tokens.weight', normal([V, d], 1));
    for (let l = 0; l < layers; l++) {
      for (const p of ['q', 'k', 'v', 'o']) add(`model.layers.${l}.self_attn.${p}_proj.weight`, normal([d, d], 1 / Math.sqrt(d)));
      add(`model.layers.${l}.mlp.up_proj.weight`, normal([d, 2 * d], 1 / Math.sqrt(d)));
      add(`model.layers.${l}.mlp.down_proj.weight`, normal([2 * d, d], 1 / Math.sqrt(2 * d)));
    }
    add('lm_head.weight', normal([d, V], 1 / Math.sqrt(d)));
    const bias = new Float32Array(V);
    bias[EOS] = this.#o.eosBias;
    bias[PAD] = -5;
    add('lm_head.bias', tf.tensor1d(bias));
    // wasm: transposed matMul is far slower than transpose + matMul, and matMul's own gradient uses it.
    const tlast = (x: TF.Tensor) => {
      const p = [...Array(x.rank).keys()];
      [p[x.rank - 2], p[x.rank - 1]] = [p[x.rank - 1]!, p[x.rank - 2]!];
      return tf.transpose(x, p);
    };
    this.#mm = tf.customGrad(((a: TF.Tensor, b: TF.Tensor, save: (t: TF.Tensor[]) => void) => {
      save([a, b]);
      return {
        value: tf.matMul(a as TF.Tensor2D, b as TF.Tensor2D),
        gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => [tf.matMul(dy as TF.Tensor2D, tlast(saved[1]!) as TF.Tensor2D), tf.matMul(tlast(saved[0]!) as TF.Tensor2D, dy as TF.Tensor2D)],
      };
    }) as never) as unknown as (a: TF.Tensor, b: TF.Tensor) => TF.Tensor;
  }

  get id(): string {
    return this.#o.id;
  }

  variables(): ReadonlyMap<string, TF.Variable> {
    return this.#vars;
  }

  forward(inputIds: TF.Tensor2D, attentionMask: TF.Tensor2D): TF.Tensor3D {
    return this.#forward(this.#vars, inputIds, attentionMask);
  }

  #forward(w: Weights, inputIds: TF.Tensor2D, _attentionMask: TF.Tensor2D): TF.Tensor3D {
    const tf = this.tf;
    const [B, T] = inputIds.shape;
    const { vocabSize: V, dim: d, layers } = this.#o;
    const W = (n: string) => w.get(n)!;
    let x = this.#mm(tf.cast(tf.oneHot(tf.reshape(inputIds, [B * T]), V), 'float32'), W('model.embed_tokens.weight'));
    if (layers > 0) {
      const causal = tf.mul(tf.sub(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 1), 1e9);
      for (let l = 0; l < layers; l++) {
        const p = `model.layers.${l}`;
        const q = tf.reshape(this.#mm(x, W(`${p}.self_attn.q_proj.weight`)), [B, T, d]);
        const k = tf.reshape(this.#mm(x, W(`${p}.self_attn.k_proj.weight`)), [B, T, d]);
        const v = tf.reshape(this.#mm(x, W(`${p}.self_attn.v_proj.weight`)), [B, T, d]);
        const scores = tf.add(tf.div(this.#mm(q, tf.transpose(k, [0, 2, 1])), Math.sqrt(d)), causal);
        const ctx = tf.reshape(this.#mm(tf.softmax(scores), v), [B * T, d]);
        x = tf.add(x, this.#mm(ctx, W(`${p}.self_attn.o_proj.weight`)));
        x = tf.add(x, this.#mm(tf.relu(this.#mm(x, W(`${p}.mlp.up_proj.weight`))), W(`${p}.mlp.down_proj.weight`)));
      }
    }
    return tf.reshape(tf.add(this.#mm(tf.tanh(x), W('lm_head.weight')), W('lm_head.bias')), [B, T, V]) as TF.Tensor3D;
  }

  snapshot(): FrozenModel {
    const frozen = new Map([...this.#vars].map(([k, v]) => [k, this.tf.clone(v)]));
    return {
      forward: (ids, mask) => this.#forward(frozen, ids, mask),
      weights: () => frozen,
      dispose: () => frozen.forEach((t) => t.dispose()),
    };
  }

  markUpdated(): void {
    this.version++;
  }

  encode(text: string): number[] {
    const span = this.vocabSize - 2;
    return Array.from(text, (c) => {
      const i = ALPHABET.indexOf(c.toLowerCase());
      return 2 + ((i >= 0 ? i : c.charCodeAt(0)) % span);
    });
  }

  decode(ids: readonly number[]): string {
    return ids.map((id) => (id >= 2 ? (ALPHABET[id - 2] ?? '?') : '')).join('');
  }

  /** `<role>: content\n` per message; assistant messages reuse their exact token ids. */
  #render(messages: readonly Message[]): { ids: number[]; text: string } {
    const ids: number[] = [];
    let text = '';
    for (const m of messages) {
      ids.push(...this.encode(`${m.role}: `), ...(m.tokenIds ?? this.encode(m.content)), ...this.encode('\n'));
      text += `${m.role}: ${m.content}\n`;
    }
    ids.push(...this.encode('assistant: '));
    return { ids, text: text + 'assistant: ' };
  }

  async generate(req: GenerateRequest): Promise<Generation> {
    const tf = this.tf;
    const { ids: contextIds, text: contextText } = this.#render(req.messages);
    const s = req.sampling ?? {};
    const max = s.maxNewTokens ?? this.#o.maxNewTokens;
    const greedy = s.greedy === true || s.temperature === 0;
    const temperature = s.temperature ?? 1;
    const rng = Rng.fromSeed(req.seed);
    const out: number[] = [];
    const logprobs: number[] = [];
    let finishReason: 'stop' | 'length' = 'length';
    for (let i = 0; i < max; i++) {
      const seq = [...contextIds, ...out];
      // The bigram model only needs the last token; attention models read the whole sequence.
      const input = this.#o.layers === 0 ? seq.slice(-1) : seq;
      const probs = tf.tidy(() => {
        const ids = tf.tensor2d([input], [1, input.length], 'int32');
        const logits = tf.reshape(tf.slice(this.forward(ids, tf.onesLike(ids)), [0, input.length - 1, 0], [1, 1, this.vocabSize]), [this.vocabSize]);
        return tf.logSoftmax(greedy ? logits : tf.div(logits, temperature));
      });
      const lp = Array.from(probs.dataSync());
      probs.dispose();
      let next = 0;
      if (greedy) next = lp.indexOf(Math.max(...lp));
      else {
        let u = rng.next();
        next = lp.length - 1;
        for (let v = 0; v < lp.length; v++) {
          u -= Math.exp(lp[v]!);
          if (u <= 0) {
            next = v;
            break;
          }
        }
      }
      out.push(next);
      logprobs.push(lp[next]!);
      if (next === EOS) {
        finishReason = 'stop';
        break;
      }
    }
    return { text: this.decode(out), contextIds, tokenIds: out, logprobs, finishReason, policyVersion: this.version, contextText };
  }

  async score(requests: readonly { contextIds: readonly number[]; continuationIds: readonly number[] }[]): Promise<number[][]> {
    const tf = this.tf;
    return requests.map((r) =>
      tf.tidy(() => {
        const seq = [...r.contextIds, ...r.continuationIds];
        const ids = tf.tensor2d([seq.slice(0, -1)], [1, seq.length - 1], 'int32');
        const lp = tf.logSoftmax(this.forward(ids, tf.onesLike(ids)));
        const data = lp.dataSync();
        return r.continuationIds.map((tok, j) => data[(r.contextIds.length - 1 + j) * this.vocabSize + tok]!);
      }),
    );
  }

  async save(dir: string): Promise<void> {
    const { data, specs } = await this.tf.io.encodeWeights([...this.#vars].map(([name, tensor]) => ({ name, tensor })));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(data));
    await writeFile(join(dir, 'weights.json'), JSON.stringify({ options: this.#o, specs }));
  }

  async load(dir: string): Promise<void> {
    const meta = JSON.parse(await readFile(join(dir, 'weights.json'), 'utf8')) as { specs: TF.io.WeightsManifestEntry[] };
    const buf = await readFile(join(dir, 'weights.bin'));
    const named = this.tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, meta.specs);
    for (const [k, v] of this.#vars) {
      const t = named[k];
      if (!t) throw new Error(`${dir}: no tensor ${k}`);
      v.assign(t);
    }
    for (const t of Object.values(named)) t.dispose();
  }

  dispose(): void {
    for (const v of this.#vars.values()) v.dispose();
    this.#vars.clear();
  }
}
