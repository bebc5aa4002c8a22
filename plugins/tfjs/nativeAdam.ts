import type * as TF from '@tensorflow/tfjs-core';
import type { Tf } from './loadTf.js';
import type { MatmulAddon } from './nativeMatmul.js';
import { activeMatmulAddon } from './nativeMatmul.js';
import { heapOffset, wasmHeap } from './wasmHeap.js';
import type { WasmBackendInternals } from './wasmHeap.js';

/** Kernel name of the fused Adam update (not a tfjs op: called through `runKernel`, outside any gradient tape). */
export const MAPPA_ADAM = 'MappaAdam';

export interface AdamHyper {
  readonly gradScale: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** lr / (1 − β1^t) */
  readonly stepSize: number;
  /** √(1 − β2^t) */
  readonly rootBc2: number;
  /** 1 − lr·weightDecay (exactly 1 without weight decay: multiplying by it then changes nothing). */
  readonly decay: number;
}

function adamKernel(addon: MatmulAddon & Required<Pick<MatmulAddon, 'adam'>>): TF.KernelConfig {
  const kernelFunc = (args: { inputs: TF.NamedTensorInfoMap; backend: unknown; attrs?: TF.NamedAttrMap }) => {
    const backend = args.backend as WasmBackendInternals;
    const ins = (['p', 'g', 'm', 'v'] as const).map((k) => {
      const t = args.inputs[k];
      if (!t || t.dtype !== 'float32') throw new Error(`${MAPPA_ADAM}: input ${k} must be a float32 tensor`);
      return t;
    });
    const n = ins[0]!.shape.reduce((a, b) => a * b, 1);
    for (const t of ins) {
      if (t.shape.length !== ins[0]!.shape.length || t.shape.some((d, i) => d !== ins[0]!.shape[i])) throw new Error(`${MAPPA_ADAM}: p, g, m and v must have one shape (got ${ins.map((x) => `[${x.shape}]`).join(', ')})`);
    }
    const outs = [0, 1, 2].map(() => backend.makeOutput([...ins[0]!.shape], 'float32'));
    if (n === 0) return outs;
    const offsets = Float64Array.from([...ins, ...outs], (t) => {
      const off = heapOffset(backend, t);
      if (off === undefined) throw new Error(`${MAPPA_ADAM}: a tensor is not in the wasm heap`);
      return off;
    });
    const h = args.attrs?.['hyper'] as number[];
    addon.adam(wasmHeap(backend), n, offsets, Float32Array.from(h));
    return outs;
  };
  return { kernelName: MAPPA_ADAM, backendName: 'wasm', kernelFunc: kernelFunc as unknown as TF.KernelFunc };
}

/**
 * The fused Adam update for `tf` when the OpenBLAS addon is the active matmul and has it (registered on first use),
 * else undefined. Returns [p', m', v'] as new tensors; the caller assigns them.
 */
export function nativeAdamStep(tf: Tf): ((p: TF.Tensor, g: TF.Tensor, m: TF.Tensor, v: TF.Tensor, h: AdamHyper) => [TF.Tensor, TF.Tensor, TF.Tensor]) | undefined {
  const addon = activeMatmulAddon(tf);
  if (!addon || typeof addon.adam !== 'function' || tf.getBackend() !== 'wasm') return undefined;
  if (!tf.getKernel(MAPPA_ADAM, 'wasm')) tf.registerKernel(adamKernel(addon as MatmulAddon & Required<Pick<MatmulAddon, 'adam'>>));
  return (p, g, m, v, h) => {
    const hyper = [h.gradScale, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.rootBc2, h.eps, h.stepSize, h.decay];
    return tf.engine().runKernel(MAPPA_ADAM, { p, g, m, v }, { hyper }) as unknown as [TF.Tensor, TF.Tensor, TF.Tensor];
  };
}
