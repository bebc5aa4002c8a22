import type * as TF from '@tensorflow/tfjs-core';
import type { Tf } from './loadTf.js';
import type { MatmulAddon } from './nativeMatmul.js';
import { heapOffset, wasmHeap } from './wasmHeap.js';
import type { WasmBackendInternals } from './wasmHeap.js';

/** The wasm kernels replaced, with the addon's op code for each. */
export const ELEMENTWISE_KERNELS = { Multiply: 0, Add: 1, Sub: 2, RealDiv: 3 } as const;
export type ElementwiseKernel = keyof typeof ELEMENTWISE_KERNELS;

export interface ElementwiseStats {
  native: number;
  fallbacks: number;
}

/** Row-major strides of `shape` placed in an output of rank `rank` (0 where the input broadcasts). */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = out.length - shape.length + i;
    strides[d] = shape[i] === 1 ? 0 : s;
    s *= shape[i] as number;
  }
  return strides;
}

/**
 * Multiply / Add / Sub / RealDiv for float32 on the wasm backend through the addon's `binary` (one IEEE operation per
 * element, as tfjs's kernels: the same bits, faster); other dtypes and ranks above 8 go to the stock kernel, counted.
 */
export function nativeElementwiseKernel(tf: Tf, addon: Required<Pick<MatmulAddon, 'binary'>>, name: ElementwiseKernel, stock: TF.KernelConfig, stats: ElementwiseStats): TF.KernelConfig {
  const op = ELEMENTWISE_KERNELS[name];
  const kernelFunc = (args: { inputs: TF.NamedTensorInfoMap; backend: unknown; attrs?: TF.NamedAttrMap }) => {
    const a = args.inputs['a'];
    const b = args.inputs['b'];
    const backend = args.backend as WasmBackendInternals;
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') {
      stats.fallbacks++;
      return stock.kernelFunc(args as never);
    }
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (shape.length > 8) {
      stats.fallbacks++;
      return stock.kernelFunc(args as never);
    }
    const out = backend.makeOutput(shape, 'float32');
    if (tf.util.sizeFromShape(shape) === 0) return out;
    const rankShape = shape.length === 0 ? [1] : shape;
    const dims = Int32Array.from([rankShape.length, ...rankShape, ...broadcastStrides(a.shape, rankShape), ...broadcastStrides(b.shape, rankShape)]);
    const offsets = Float64Array.from([a, b, out], (t) => heapOffset(backend, t) ?? Number.NaN);
    if (offsets.some(Number.isNaN)) throw new Error(`native ${name}: an operand is not in the wasm heap`);
    addon.binary(wasmHeap(backend), op, dims, offsets);
    stats.native++;
    return out;
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as TF.KernelFunc };
}
