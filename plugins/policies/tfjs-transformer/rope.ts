import { floatToBf16, floatToHalf } from './safetensors.js';
import type { TransformerConfig } from './TransformerConfig.js';

const f = Math.fround;

/**
 * Rotary inverse frequencies exactly as transformers computes them in float32, including the `linear` and `llama3`
 * scaling rules, rounded to `ropeDtype` when the checkpoint is stored in half precision.
 */
export function ropeInvFreq(c: TransformerConfig): Float32Array {
  const half = c.headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = f(1 / f(c.ropeTheta ** f((2 * i) / c.headDim)));
  const factor = c.rope.factor ?? 1;
  if (c.rope.type === 'linear') {
    for (let i = 0; i < half; i++) inv[i] = f((inv[i] as number) / factor);
  } else if (c.rope.type === 'llama3') {
    const low = c.rope.lowFreqFactor ?? 1;
    const high = c.rope.highFreqFactor ?? 4;
    const oldLen = c.rope.originalMaxPositionEmbeddings ?? 8192;
    const lowWavelen = oldLen / low;
    const highWavelen = oldLen / high;
    for (let i = 0; i < half; i++) {
      const freq = inv[i] as number;
      const wavelen = (2 * Math.PI) / freq;
      let out = wavelen > lowWavelen ? freq / factor : freq;
      if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
        const smooth = (oldLen / wavelen - low) / (high - low);
        out = ((1 - smooth) * out) / factor + smooth * out;
      }
      inv[i] = f(out);
    }
  }
  // transformers casts the rotary buffer to the dtype a half-precision checkpoint is loaded in; match it.
  if (c.ropeDtype === 'bfloat16') {
    const u = new Uint32Array(inv.buffer);
    for (let i = 0; i < u.length; i++) u[i] = (floatToBf16(inv[i] as number) << 16) >>> 0;
  } else if (c.ropeDtype === 'float16') {
    for (let i = 0; i < inv.length; i++) inv[i] = halfBitsToFloat(floatToHalf(inv[i] as number));
  }
  return inv;
}

function halfBitsToFloat(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  return exp === 0 ? sign * frac * 2 ** -24 : sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * cos/sin tables [rows, headDim] in the rotate_half layout (each frequency repeated for both halves). `positions` is
 * the limit (the context length, which may come from a checkpoint's max_position_embeddings); rows are computed as
 * positions are used, doubling, so a config claiming 3e7 positions costs nothing until they are used.
 */
export class RopeTables {
  #cos = new Float32Array(0);
  #sin = new Float32Array(0);
  #rows = 0;

  constructor(
    readonly headDim: number,
    readonly positions: number,
    readonly invFreq: Float32Array,
  ) {}

  /** Rows computed so far; `cos`/`sin` hold exactly these. */
  get rows(): number {
    return this.#rows;
  }
  get cos(): Float32Array {
    return this.#cos;
  }
  get sin(): Float32Array {
    return this.#sin;
  }

  /** Makes sure rows 0..n-1 exist (n ≤ positions). */
  ensure(n: number): void {
    if (n <= this.#rows) return;
    if (n > this.positions) throw new RangeError(`position ${n - 1} is beyond the rotary table (${this.positions} positions)`);
    const rows = Math.min(this.positions, Math.max(n, 2 * this.#rows, 256));
    const hd = this.headDim;
    const half = hd / 2;
    const cos = new Float32Array(rows * hd);
    const sin = new Float32Array(rows * hd);
    cos.set(this.#cos);
    sin.set(this.#sin);
    for (let p = this.#rows; p < rows; p++) {
      for (let i = 0; i < half; i++) {
        const angle = f(p * (this.invFreq[i] as number));
        const c = f(Math.cos(angle));
        const s = f(Math.sin(angle));
        const o = p * hd;
        cos[o + i] = c;
        cos[o + half + i] = c;
        sin[o + i] = s;
        sin[o + half + i] = s;
      }
    }
    this.#cos = cos;
    this.#sin = sin;
    this.#rows = rows;
  }

  /** Rows for the given positions, flattened [positions.length, headDim]. */
  gather(positions: ArrayLike<number>): { cos: Float32Array; sin: Float32Array } {
    const hd = this.headDim;
    let max = -1;
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i] as number;
      if (p >= this.positions) throw new RangeError(`position ${p} is beyond the rotary table (${this.positions} positions)`);
      if (p > max) max = p;
    }
    this.ensure(max + 1);
    const cos = new Float32Array(positions.length * hd);
    const sin = new Float32Array(positions.length * hd);
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i] as number;
      cos.set(this.#cos.subarray(p * hd, (p + 1) * hd), i * hd);
      sin.set(this.#sin.subarray(p * hd, (p + 1) * hd), i * hd);
    }
    return { cos, sin };
  }
}
