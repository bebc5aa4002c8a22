import type * as TF from '@tensorflow/tfjs-core';
import type { Tf } from './loadTf.js';

/** The part of tfjs-backend-wasm 4.22's `BackendWasm` these kernels use (its own Reshape kernel does the same). */
interface RefCountingBackend {
  incRef(dataId: object): void;
}

const STATE = Symbol.for('mappa.zeroCopyKernels');
const g = globalThis as typeof globalThis & { [STATE]?: { identity: TF.KernelConfig; cast: TF.KernelConfig } };

/**
 * Replaces the wasm backend's Identity and same-dtype Cast kernels, which copy their input, by ones that share it
 * (reference counted, as tfjs's cpu backend and wasm's own Reshape do). tfjs clones every tensor a gradient saves
 * (`saveTensorsForBackwardMode`) and several gradients cast float32 to float32, so a training step made hundreds of
 * full copies (Identity/Cast were ~6% of a small-preset step). Tensor data is immutable in tfjs (kernels always write
 * a fresh output, `Variable.assign` swaps the data id), so sharing gives the same bits. Returns false when the backend
 * lacks `incRef` (then the stock kernels stay).
 */
export function installZeroCopyKernels(tf: Tf): boolean {
  if (g[STATE]) return true;
  const backend = tf.findBackend('wasm') as unknown as Partial<RefCountingBackend> | null;
  const identity = tf.getKernel('Identity', 'wasm');
  const cast = tf.getKernel('Cast', 'wasm');
  if (!backend || typeof backend.incRef !== 'function' || !identity || !cast) return false;
  const share = (x: TF.TensorInfo, b: RefCountingBackend): TF.TensorInfo => {
    b.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  type Args = { inputs: TF.NamedTensorInfoMap; backend: unknown; attrs?: TF.NamedAttrMap };
  const zeroIdentity: TF.KernelConfig = {
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ((args: Args) => {
      const x = args.inputs['x']!;
      return x.dtype === 'string' ? identity.kernelFunc(args as never) : share(x, args.backend as RefCountingBackend);
    }) as unknown as TF.KernelFunc,
  };
  const zeroCast: TF.KernelConfig = {
    kernelName: 'Cast',
    backendName: 'wasm',
    kernelFunc: ((args: Args) => {
      const x = args.inputs['x']!;
      const same = x.dtype === args.attrs?.['dtype'] && x.dtype !== 'string';
      return same ? share(x, args.backend as RefCountingBackend) : cast.kernelFunc(args as never);
    }) as unknown as TF.KernelFunc,
  };
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel(zeroIdentity);
  tf.unregisterKernel('Cast', 'wasm');
  tf.registerKernel(zeroCast);
  g[STATE] = { identity: zeroIdentity, cast: zeroCast };
  return true;
}

/** True when the wasm Identity/Cast kernels are the sharing ones. */
export function zeroCopyKernelsActive(tf: Tf): boolean {
  const s = g[STATE];
  return s !== undefined && tf.getKernel('Identity', 'wasm')?.kernelFunc === s.identity.kernelFunc && tf.getKernel('Cast', 'wasm')?.kernelFunc === s.cast.kernelFunc;
}
