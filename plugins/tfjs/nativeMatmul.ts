import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TF from '@tensorflow/tfjs-core';
import { MappaError } from '../../core/util/MappaError.js';
import type { Tf } from './loadTf.js';
import { heapOffset, wasmHeap } from './wasmHeap.js';
import type { WasmBackendInternals } from './wasmHeap.js';
import { ELEMENTWISE_KERNELS, nativeElementwiseKernel } from './nativeElementwise.js';
import type { ElementwiseKernel, ElementwiseStats } from './nativeElementwise.js';

/** The addon built from `native/matmul/` (OpenBLAS `cblas_sgemm` on the wasm heap, bounds-checked in C++). */
export interface MatmulAddon {
  /**
   * Row-major `C[i] = op(A[i])·op(B[i])`; offsets in bytes into `heap`, strides in floats (0 = broadcast). `rowwise`:
   * every row of C computed on its own (sgemv), so its bits do not depend on the other rows of the call.
   */
  sgemm(
    heap: ArrayBuffer, transA: boolean, transB: boolean, m: number, n: number, k: number,
    aOff: number, bOff: number, cOff: number, batch: number, strideA: number, strideB: number, strideC: number,
    rowwise: boolean,
  ): void;
  setThreads(n: number): void;
  getThreads(): number;
  /** One fused KV-cache decode step (native/matmul/decode.cc; see NativeDecoder). Absent in addons built before it. */
  decode?(
    heap: ArrayBuffer, dims: Int32Array, eps: number, offsets: Float64Array, tokens: Int32Array, positions: Int32Array,
    cos: Float32Array, sin: Float32Array, caches: Float32Array[], capacities: Int32Array, logits: Float32Array,
  ): void;
  /** Elementwise float32 op with broadcasting (native/matmul/binary.cc; see nativeElementwise.ts). */
  binary?(heap: ArrayBuffer, op: number, dims: Int32Array, offsets: Float64Array): void;
  /** One Adam(W) update over n float32s (native/matmul/adam.cc; see nativeAdam.ts). */
  adam?(heap: ArrayBuffer, n: number, offsets: Float64Array, hyper: Float32Array): void;
  /** Contexts (concatenated, `lengths` each) into per-row caches and last-position logits (native/matmul/decode.cc). */
  prefill?(
    heap: ArrayBuffer, dims: Int32Array, eps: number, offsets: Float64Array, tokens: Int32Array, lengths: Int32Array,
    cos: Float32Array, sin: Float32Array, caches: Float32Array[], capacities: Int32Array, logits: Float32Array,
  ): void;
  readonly blasConfig: string;
}

export type NativeMatmulMode = 'auto' | 'off' | 'on';

export interface NativeMatmulStatus {
  /** `openblas` when BatchMatMul on wasm runs through the addon, else `wasm` (tfjs's own kernel). */
  readonly path: 'openblas' | 'wasm';
  readonly mode: NativeMatmulMode;
  /** Why the native path is not active (addon missing, other backend, turned off), or the BLAS build when it is. */
  readonly detail: string;
}

export interface NativeMatmulStats {
  /** BatchMatMul calls served by OpenBLAS. */
  native: number;
  /** Calls handed to the stock wasm kernel (shapes the native kernel does not take, e.g. two-sided batch broadcast). */
  fallbacks: number;
  /** Of the native calls, those computed row by row (inside `withRowIndependentMatmul`). */
  rowwise: number;
}

const ADDON_FILE = join('native', 'matmul', 'build', 'Release', 'mappa_matmul.node');
const STATE = Symbol.for('mappa.nativeMatmul');
interface State {
  stats: NativeMatmulStats;
  stock?: TF.KernelConfig | undefined;
  native?: TF.KernelConfig | undefined;
  addon?: MatmulAddon | undefined;
  /** Depth of `withRowIndependentMatmul` calls. */
  rowIndependent: number;
  /** Stock and native Multiply / Add / Sub / RealDiv kernels, swapped together with BatchMatMul. */
  elementwise?: { stock: TF.KernelConfig[]; native: TF.KernelConfig[]; stats: ElementwiseStats } | undefined;
}
const g = globalThis as typeof globalThis & { [STATE]?: State };
const state: State = (g[STATE] ??= { stats: { native: 0, fallbacks: 0, rowwise: 0 }, rowIndependent: 0 });

/** Parses `MAPPA_NATIVE_MATMUL`: `1` = use the addon (required), `0` or unset = tfjs's kernel (opt-in for now). */
export function nativeMatmulMode(env: NodeJS.ProcessEnv = process.env): NativeMatmulMode {
  const raw = env['MAPPA_NATIVE_MATMUL']?.trim();
  if (!raw) return 'auto';
  if (raw === '0') return 'off';
  if (raw === '1') return 'on';
  throw new MappaError(`MAPPA_NATIVE_MATMUL=${raw} is not valid`, { hint: "use 1 (require the OpenBLAS matmul), 0 (use tfjs's wasm kernel) or leave it unset (use the addon when it is built)" });
}

/** Where the built addon is: the package root is two levels above this file in the sources and three in dist/. */
export function findMatmulAddon(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * OpenBLAS's DYNAMIC_ARCH build picks its kernels from the CPU model; on VMs that report a generic model
 * ("Intel Xeon Processor") it falls back to the Prescott (SSE3) kernels, 3–4× slower than the AVX2 ones. Unless the
 * user chose one, name the core from the CPU's flags; OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded.
 */
export function openblasCoreType(cpuinfo: string): string | undefined {
  const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.split(/\s+/) ?? []);
  if (flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl')) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return undefined;
}

export function loadMatmulAddon(env: NodeJS.ProcessEnv = process.env): MatmulAddon {
  const file = findMatmulAddon();
  if (!file) throw new Error(`${ADDON_FILE} is not built (needs g++, libopenblas-dev and Node's headers; run \`node scripts/buildNative.mjs\`)`);
  if (!env['OPENBLAS_CORETYPE'] && existsSync('/proc/cpuinfo')) {
    const core = openblasCoreType(readFileSync('/proc/cpuinfo', 'utf8'));
    if (core) env['OPENBLAS_CORETYPE'] = core;
  }
  const addon = createRequire(import.meta.url)(file) as MatmulAddon;
  // One thread unless the user asks for more: the wasm backend around it is single-threaded, mappa runs several
  // training processes at once, and on a busy machine OpenBLAS's spinning worker threads made a small-preset train
  // step slower than tfjs's own kernel (bench/README.md#native-matmul). Not set through the environment, so child
  // processes (sandboxes, PyTorch) keep their defaults.
  if (!env['OPENBLAS_NUM_THREADS']) addon.setThreads(1);
  return addon;
}

/**
 * Checks that the wasm backend still exposes what the kernel reads (pinned to tfjs-backend-wasm 4.22.0). Returns the
 * problems found; an empty list means the internals are where the kernel expects them.
 */
export function checkWasmInternals(tf: Tf): string[] {
  const problems: string[] = [];
  const version = (createRequire(import.meta.url)('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  if (version !== '4.22.0') problems.push(`@tensorflow/tfjs-backend-wasm is ${version}, the native kernel was written against 4.22.0`);
  const b = tf.findBackend('wasm') as unknown as Partial<WasmBackendInternals> | null;
  if (!b) return [...problems, 'the wasm backend is not registered'];
  if (typeof b.dataIdMap?.get !== 'function') problems.push('backend.dataIdMap.get is missing');
  if (!(b.wasm?.HEAPU8 instanceof Uint8Array) || !(b.wasm.HEAPU8.buffer instanceof ArrayBuffer)) problems.push('backend.wasm.HEAPU8 is not a Uint8Array over an ArrayBuffer');
  if (typeof b.makeOutput !== 'function') problems.push('backend.makeOutput is missing');
  // zeroCopyKernels.ts shares data ids through it.
  if (typeof (b as { incRef?: unknown }).incRef !== 'function') problems.push('backend.incRef is missing');
  if (!tf.getKernel('BatchMatMul', 'wasm')) problems.push('no BatchMatMul kernel is registered for wasm');
  return problems;
}

export function nativeMatmulStats(): Readonly<NativeMatmulStats> {
  return { ...state.stats };
}

/** Builds the BatchMatMul kernel for wasm that runs through `addon`, falling back to `stock` for shapes it does not take. */
export function nativeBatchMatMulKernel(tf: Tf, addon: MatmulAddon, stock: TF.KernelConfig): TF.KernelConfig {
  const kernelFunc = (args: { inputs: TF.NamedTensorInfoMap; backend: unknown; attrs?: TF.NamedAttrMap }) => {
    const a = args.inputs['a']!;
    const b = args.inputs['b']!;
    const transposeA = Boolean(args.attrs?.['transposeA']);
    const transposeB = Boolean(args.attrs?.['transposeB']);
    const backend = args.backend as WasmBackendInternals;
    const fallback = () => {
      state.stats.fallbacks++;
      return stock.kernelFunc(args as never);
    };
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return fallback();
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (k !== kb) {
      throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
    }
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    const batch = tf.util.sizeFromShape(outer);
    const batchA = tf.util.sizeFromShape(outerA);
    const batchB = tf.util.sizeFromShape(outerB);
    // One operand broadcast whole (or none) maps to strides; anything else (e.g. [2,1]×[1,3]) goes to the stock kernel.
    if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return fallback();
    const aOff = heapOffset(backend, a);
    const bOff = heapOffset(backend, b);
    if (aOff === undefined || bOff === undefined) return fallback();
    const out = backend.makeOutput([...outer, m, n], 'float32');
    if (batch * m * n === 0) return out;
    const cOff = heapOffset(backend, out)!;
    const heap = wasmHeap(backend);
    const rowwise = state.rowIndependent > 0;
    addon.sgemm(heap, transposeA, transposeB, m, n, k, aOff, bOff, cOff, batch, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m * n, rowwise);
    state.stats.native++;
    if (rowwise) state.stats.rowwise++;
    return out;
  };
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: kernelFunc as unknown as TF.KernelFunc };
}

/**
 * Runs `fn` (synchronous tfjs work) with every native BatchMatMul computing each output row on its own. OpenBLAS's
 * sgemm gives a row different bits depending on how many rows share the call (its remainder micro-kernels split the
 * reduction differently), so a generation batch, whose rows are whichever requests happen to be live, would make a
 * sequence's tokens and log-probs depend on timing. tfjs's own kernel is row-independent already; this is a no-op
 * for it. Training and scoring batches are fixed by their inputs and keep the (3× faster) blocked sgemm.
 */
export function withRowIndependentMatmul<T>(fn: () => T): T {
  state.rowIndependent++;
  try {
    return fn();
  } finally {
    state.rowIndependent--;
  }
}

/**
 * True when BatchMatMul on the active backend is the OpenBLAS kernel. Then transposed operands cost nothing (sgemm
 * takes the flags), so callers can pass `transposeA/B` instead of materializing a Transpose.
 */
export function nativeMatmulActive(tf: Tf): boolean {
  return state.native !== undefined && tf.getKernel('BatchMatMul', tf.getBackend())?.kernelFunc === state.native.kernelFunc;
}

/** The loaded addon while the OpenBLAS kernel is the active BatchMatMul (else undefined). */
export function activeMatmulAddon(tf: Tf): MatmulAddon | undefined {
  return nativeMatmulActive(tf) ? state.addon : undefined;
}

/** Swaps the wasm BatchMatMul kernel between the native one and tfjs's own (tests compare both in one process). */
export function useNativeMatmul(tf: Tf, on: boolean): void {
  if (!state.stock || !state.native) throw new Error('the native matmul kernel was not installed (see installNativeMatmul)');
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(on ? state.native : state.stock);
  for (const k of (on ? state.elementwise?.native : state.elementwise?.stock) ?? []) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
}

/** Calls of the native elementwise kernels, and those handed to the stock kernels (non-float32 operands). */
export function nativeElementwiseStats(): Readonly<ElementwiseStats> {
  return { ...(state.elementwise?.stats ?? { native: 0, fallbacks: 0 }) };
}

/**
 * Registers the OpenBLAS BatchMatMul kernel for the wasm backend when `MAPPA_NATIVE_MATMUL` allows it, the backend is
 * wasm and the addon loads. With `MAPPA_NATIVE_MATMUL=1` any of those failing is an error; otherwise the reason is
 * returned in `detail` and tfjs's kernel stays.
 */
export function installNativeMatmul(tf: Tf, backend: string, env: NodeJS.ProcessEnv = process.env): NativeMatmulStatus {
  const mode = nativeMatmulMode(env);
  const skip = (detail: string): NativeMatmulStatus => {
    if (mode === 'on') {
      throw new MappaError(`MAPPA_NATIVE_MATMUL=1 but the OpenBLAS matmul cannot be used: ${detail}`, {
        hint: 'build it with `npm run build:native` (needs g++, libopenblas-dev and Node headers; docs/tfjs-policy.md#native-matmul), use the wasm backend, or unset MAPPA_NATIVE_MATMUL',
      });
    }
    return { path: 'wasm', mode, detail };
  };
  if (mode === 'off') return { path: 'wasm', mode, detail: 'turned off by MAPPA_NATIVE_MATMUL=0' };
  // Opt-in for now: with it, `mappa train --resume` after a SIGKILL was not bit-identical to an uninterrupted run in 3
  // of 5 tries (test/trainers/resumeAfterKillLora.e2e.test.ts), while tfjs's kernel always is. Until that is
  // understood, the default stays tfjs's kernel.
  if (mode === 'auto') {
    return { path: 'wasm', mode, detail: findMatmulAddon() ? 'the OpenBLAS addon is built; MAPPA_NATIVE_MATMUL=1 turns it on' : 'the OpenBLAS addon is not built' };
  }
  if (backend !== 'wasm') return skip(`the backend is ${backend}, not wasm`);
  const describe = (addon: MatmulAddon) => `${addon.blasConfig.trim()}, ${addon.getThreads()} thread(s)`;
  if (state.native && state.addon) {
    useNativeMatmul(tf, true);
    return { path: 'openblas', mode, detail: describe(state.addon) };
  }
  const problems = checkWasmInternals(tf);
  if (problems.length) return skip(`tfjs internals moved: ${problems.join('; ')}`);
  let addon: MatmulAddon;
  try {
    addon = loadMatmulAddon();
  } catch (err) {
    return skip((err as Error).message.split('\n')[0]!);
  }
  state.stock = tf.getKernel('BatchMatMul', 'wasm');
  state.native = nativeBatchMatMulKernel(tf, addon, state.stock!);
  state.addon = addon;
  if (typeof addon.binary === 'function') {
    const withBinary = addon as Required<Pick<MatmulAddon, 'binary'>>;
    const stats: ElementwiseStats = { native: 0, fallbacks: 0 };
    const names = Object.keys(ELEMENTWISE_KERNELS) as ElementwiseKernel[];
    const stock = names.map((n) => tf.getKernel(n, 'wasm')!);
    state.elementwise = { stock, native: names.map((n, i) => nativeElementwiseKernel(tf, withBinary, n, stock[i]!, stats)), stats };
  }
  useNativeMatmul(tf, true);
  return { path: 'openblas', mode, detail: describe(addon) };
}
