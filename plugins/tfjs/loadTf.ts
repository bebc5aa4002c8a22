import type * as TF from '@tensorflow/tfjs-core';
import { installNativeMatmul, type NativeMatmulStatus } from './nativeMatmul.js';
import { installZeroCopyKernels } from './zeroCopyKernels.js';

export type Tf = typeof TF;
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';
const BACKENDS: readonly TfBackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface LoadedTf {
  readonly tf: Tf;
  readonly backend: string;
  /** Which package provided the backend (e.g. `@tensorflow/tfjs-node-gpu`). */
  readonly source: string;
  /** Faster backends that were tried and why they did not load (empty when the first choice loaded). */
  readonly skipped: readonly string[];
  /** Which BatchMatMul runs: the OpenBLAS addon on the wasm heap, or the backend's own (`MAPPA_NATIVE_MATMUL`). */
  readonly matmul: NativeMatmulStatus;
  /** wasm: Identity and same-dtype Cast share their input instead of copying it (false: tfjs internals moved). */
  readonly zeroCopyKernels: boolean;
}

/**
 * Cached on globalThis, not in a module variable: plugin files loaded through tsx's `tsImport` get their own copy of
 * this module, and a second tfjs instance next to the first breaks kernels (`backend.makeTensorInfo is not a function`).
 */
const CACHE = Symbol.for('mappa.loadTf');
const cache = globalThis as typeof globalThis & { [CACHE]?: Promise<LoadedTf> };

/** Parses `MAPPA_TF_BACKEND`; an unknown value is an error, not a silent default. */
export function forcedTfBackend(env: NodeJS.ProcessEnv = process.env): TfBackendName | undefined {
  const raw = env['MAPPA_TF_BACKEND']?.trim();
  if (!raw) return undefined;
  if (!(BACKENDS as readonly string[]).includes(raw)) {
    throw new Error(`MAPPA_TF_BACKEND=${raw} is not a TensorFlow.js backend mappa knows; use one of ${BACKENDS.join(', ')} (or unset it to pick the fastest available)`);
  }
  return raw as TfBackendName;
}

/**
 * Loads TensorFlow.js once per process and picks the fastest backend available: `@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node` (both optional peers a user may install), else the wasm backend, else the pure-JS cpu
 * backend. `MAPPA_TF_BACKEND=wasm|cpu|tensorflow` demands one: if it does not load, that is an error rather than a
 * fallback. Without it, every backend skipped is listed in `skipped` so callers can log the fallback.
 *
 * Only `@tensorflow/tfjs-core` and the backends are loaded (not the `@tensorflow/tfjs` umbrella). Core's Node bundle
 * registers no gradients; `@tensorflow/tfjs-layers`' Node bundle registers all of core's gradient functions when it is
 * imported (the same registration the umbrella does), so it is imported for that side effect.
 */
export function loadTf(): Promise<LoadedTf> {
  cache[CACHE] ??= (async () => {
    const forced = forcedTfBackend();
    const skipped: string[] = [];
    // tfjs prints a banner suggesting tfjs-node on import; it is noise for CLI users.
    const origWarn = console.warn;
    const origLog = console.log;
    const quiet = (orig: typeof console.log) => (...args: unknown[]) => {
      if (typeof args[0] === 'string' && /tfjs-node|Hi there|============/.test(args[0])) return;
      orig(...args);
    };
    console.warn = quiet(origWarn);
    console.log = quiet(origLog);
    try {
      const tf = (await import('@tensorflow/tfjs-core')) as unknown as Tf;
      await import('@tensorflow/tfjs-layers');
      await import('@tensorflow/tfjs-backend-cpu');
      if (!forced || forced === 'tensorflow') {
        for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
          try {
            await import(pkg);
            if (await tf.setBackend('tensorflow')) {
              await tf.ready();
              return { tf, backend: 'tensorflow', source: pkg, skipped, matmul: installNativeMatmul(tf, 'tensorflow'), zeroCopyKernels: false };
            }
            skipped.push(`${pkg}: the "tensorflow" backend did not initialize`);
          } catch (err) {
            // Not installed, or installed without its native addon.
            skipped.push(`${pkg}: ${(err as Error).message.split('\n')[0]}`);
          }
        }
        if (forced === 'tensorflow') {
          throw new Error(
            `MAPPA_TF_BACKEND=tensorflow but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads (${skipped.join('; ')}); ` +
              'install one (see docs/tfjs-policy.md#native-backends) or unset MAPPA_TF_BACKEND',
          );
        }
      }
      if (!forced || forced === 'wasm') {
        try {
          await import('@tensorflow/tfjs-backend-wasm');
          if (await tf.setBackend('wasm')) await tf.ready();
          else skipped.push('@tensorflow/tfjs-backend-wasm: the "wasm" backend did not initialize');
        } catch (err) {
          skipped.push(`@tensorflow/tfjs-backend-wasm: ${(err as Error).message.split('\n')[0]}`);
        }
        // Outside the try: MAPPA_NATIVE_MATMUL=1 without the addon is an error, not a reason to fall back to cpu.
        if (tf.getBackend() === 'wasm') {
          // Same bits, fewer copies; if tfjs internals moved, the stock kernels stay (reported in zeroCopyKernels).
          const zeroCopyKernels = installZeroCopyKernels(tf);
          return { tf, backend: 'wasm', source: '@tensorflow/tfjs-backend-wasm', skipped, matmul: installNativeMatmul(tf, 'wasm'), zeroCopyKernels };
        }
        if (forced === 'wasm') throw new Error(`MAPPA_TF_BACKEND=wasm but the wasm backend does not load (${skipped.at(-1)}); reinstall @tensorflow/tfjs-backend-wasm or unset MAPPA_TF_BACKEND`);
      }
      await tf.setBackend('cpu');
      await tf.ready();
      return { tf, backend: 'cpu', source: '@tensorflow/tfjs-backend-cpu', skipped, matmul: installNativeMatmul(tf, 'cpu'), zeroCopyKernels: false };
    } finally {
      console.warn = origWarn;
      console.log = origLog;
    }
  })();
  return cache[CACHE];
}
