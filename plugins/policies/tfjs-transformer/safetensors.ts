import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { MappaError } from '../../../core/util/MappaError.js';

/** Storage dtypes this loader reads; floating types are converted to float32, integer types to int32. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I32' | 'I64';
/** Dtypes `writeSafetensors` can store float32 data in. */
export type SaveDtype = 'float32' | 'bfloat16' | 'float16';

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I32: 4, I64: 8 };
const SAVE_TAG: Record<SaveDtype, SafetensorsDtype> = { float32: 'F32', bfloat16: 'BF16', float16: 'F16' };
/** A header larger than this is not a safetensors header but garbage (the format caps it at 100 MB). */
const MAX_HEADER = 100_000_000;

export interface TensorEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Byte range inside the data section (after the header). */
  readonly begin: number;
  readonly end: number;
}

export interface LoadedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  /** Stored dtype (before conversion). */
  readonly dtype: SafetensorsDtype;
  readonly data: Float32Array | Int32Array;
}

function corrupt(file: string, problem: string): MappaError {
  return new MappaError(`${file}: not a valid safetensors file (${problem})`, {
    hint: 'the file is truncated or corrupt; re-download or re-save the checkpoint',
  });
}

/**
 * Reads a safetensors file tensor by tensor: only the header is read up front, and each tensor's bytes are read
 * when asked for, so a checkpoint never needs twice its size in memory. Every structural problem (short file,
 * bad header JSON, offsets outside the file, sizes that do not match shape × dtype) is a MappaError naming the file.
 */
export class SafetensorsReader {
  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
    private readonly dataStart: number,
    readonly entries: ReadonlyMap<string, TensorEntry>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  static async open(file: string): Promise<SafetensorsReader> {
    let size: number;
    try {
      const st = await stat(file);
      if (!st.isFile()) {
        throw new MappaError(`${file}: not a regular file (${st.isDirectory() ? 'a directory' : 'a special file'})`, {
          hint: 'model.safetensors (and each shard) must be a file of weights',
        });
      }
      size = st.size;
    } catch (err) {
      if (err instanceof MappaError) throw err;
      throw new MappaError(`${file}: cannot read weights file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
        hint: 'check the checkpoint directory: it needs model.safetensors or model.safetensors.index.json with its shards',
        cause: err,
      });
    }
    const fh = await open(file, 'r');
    try {
      if (size < 8) throw corrupt(file, `${size} bytes, shorter than the 8-byte header length`);
      const lenBuf = Buffer.alloc(8);
      await fh.read(lenBuf, 0, 8, 0);
      const headerLen = Number(lenBuf.readBigUInt64LE(0));
      if (headerLen > MAX_HEADER) throw corrupt(file, `header length ${headerLen} is implausible`);
      if (8 + headerLen > size) throw corrupt(file, `header of ${headerLen} bytes runs past the end of the ${size}-byte file`);
      const headerBuf = Buffer.alloc(headerLen);
      await fh.read(headerBuf, 0, headerLen, 8);
      let header: Record<string, unknown>;
      try {
        header = JSON.parse(headerBuf.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw corrupt(file, 'header is not JSON');
      }
      if (header === null || typeof header !== 'object' || Array.isArray(header)) throw corrupt(file, 'header is not a JSON object');
      const dataLen = size - 8 - headerLen;
      const entries = new Map<string, TensorEntry>();
      let metadata: Record<string, string> = {};
      for (const [name, raw] of Object.entries(header)) {
        if (name === '__metadata__') {
          metadata = (raw ?? {}) as Record<string, string>;
          continue;
        }
        const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
        const dtype = e?.dtype as SafetensorsDtype;
        if (!(dtype in BYTES)) {
          throw new MappaError(`${file}: tensor '${name}' has dtype ${String(e?.dtype)}, which is not supported`, {
            hint: `supported dtypes: ${Object.keys(BYTES).join(', ')}`,
          });
        }
        const shape = e.shape;
        const offsets = e.data_offsets;
        if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw corrupt(file, `tensor '${name}' has a bad shape`);
        if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
          throw corrupt(file, `tensor '${name}' has bad data_offsets`);
        }
        const [begin, end] = offsets as [number, number];
        const numel = (shape as number[]).reduce((a, b) => a * b, 1);
        if (end < begin || end - begin !== numel * BYTES[dtype]) {
          throw corrupt(file, `tensor '${name}' spans ${end - begin} bytes but ${dtype}[${shape.join(',')}] needs ${numel * BYTES[dtype]}`);
        }
        if (end > dataLen) {
          throw corrupt(file, `tensor '${name}' ends at byte ${end} of the data section, which has only ${dataLen} bytes (truncated file?)`);
        }
        entries.set(name, { name, dtype, shape: shape as number[], begin, end });
      }
      // Two tensors sharing bytes would alias each other's weights (the format forbids it; a crafted file may not).
      const byStart = [...entries.values()].sort((a, b) => a.begin - b.begin);
      for (let i = 1; i < byStart.length; i++) {
        const prev = byStart[i - 1]!;
        const cur = byStart[i]!;
        if (cur.begin < prev.end) throw corrupt(file, `tensors '${prev.name}' and '${cur.name}' overlap in the data section (bytes ${cur.begin}-${Math.min(prev.end, cur.end)})`);
      }
      return new SafetensorsReader(file, fh, 8 + headerLen, entries, metadata);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Reads one tensor and converts it: floating dtypes to float32, integer dtypes to int32. */
  async read(name: string): Promise<LoadedTensor> {
    const e = this.entries.get(name);
    if (!e) throw new MappaError(`${this.file}: no tensor named '${name}'`);
    const bytes = Buffer.alloc(e.end - e.begin);
    const { bytesRead } = await this.fh.read(bytes, 0, bytes.length, this.dataStart + e.begin);
    if (bytesRead !== bytes.length) throw corrupt(this.file, `tensor '${name}': read ${bytesRead} of ${bytes.length} bytes`);
    return { name, shape: e.shape, dtype: e.dtype, data: decodeTensorBytes(bytes, e.dtype) };
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Converts little-endian stored bytes to float32 (floating dtypes) or int32 (integer dtypes). */
export function decodeTensorBytes(bytes: Uint8Array, dtype: SafetensorsDtype): Float32Array | Int32Array {
  // Copy to an aligned buffer: Node's pooled Buffers may start at any byte offset.
  const buf = new Uint8Array(bytes).buffer;
  switch (dtype) {
    case 'F32':
      return new Float32Array(buf);
    case 'F64':
      return Float32Array.from(new Float64Array(buf));
    case 'BF16': {
      const src = new Uint16Array(buf);
      const out = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = (src[i] as number) << 16;
      return new Float32Array(out.buffer);
    }
    case 'F16': {
      const src = new Uint16Array(buf);
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = halfToFloat(src[i] as number);
      return out;
    }
    case 'I32':
      return new Int32Array(buf);
    case 'I64': {
      const src = new BigInt64Array(buf);
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
      return out;
    }
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → bfloat16 bits, rounding to nearest even (as torch does). */
export function floatToBf16(x: number): number {
  f32[0] = x;
  const bits = u32[0] as number;
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40; // keep NaN a NaN
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** float32 → IEEE half bits, rounding to nearest even; out-of-range values become ±Infinity. */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

export interface TensorToWrite {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/**
 * Encodes tensors as a safetensors file in one pass: float32 data is stored as `dtype`, int32 data as I32. The header
 * is padded with spaces to a multiple of 8 bytes like the reference implementation.
 */
export function encodeSafetensors(tensors: readonly TensorToWrite[], dtype: SaveDtype, metadata: Record<string, string> = { format: 'pt' }): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const t of tensors) {
    let bytes: Uint8Array;
    let tag: SafetensorsDtype;
    if (t.data instanceof Int32Array) {
      tag = 'I32';
      bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    } else if (dtype === 'float32') {
      tag = 'F32';
      bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    } else {
      tag = SAVE_TAG[dtype];
      const conv = dtype === 'bfloat16' ? floatToBf16 : floatToHalf;
      const out = new Uint16Array(t.data.length);
      for (let i = 0; i < t.data.length; i++) out[i] = conv(t.data[i] as number);
      bytes = new Uint8Array(out.buffer);
    }
    header[t.name] = { dtype: tag, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    parts.push(bytes);
  }
  let json = JSON.stringify(header);
  while (Buffer.byteLength(json) % 8 !== 0) json += ' ';
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.length));
  return [len, headerBytes, ...parts];
}
