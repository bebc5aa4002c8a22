import type * as TF from '@tensorflow/tfjs';

export type Tf = typeof TF;
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface LoadedTf {
  readonly tf: Tf;
  readonly backend: string;
  /** Which package provided the backend (e.g. `@tensorflow/tfjs-node-gpu`). */
  readonly source: string;
}

/**
 * Cached on globalThis, not in a module variable: plugin files loaded through tsx's `tsImport` get their own copy of
 * this module, and a second tfjs instance next to the first breaks kernels (`backend.makeTensorInfo is not a function`).
 */
const CACHE = Symbol.for('mappa.loadTf');
const cache = globalThis as typeof globalThis & { [CACHE]?: Promise<LoadedTf> };

/**
 * Loads TensorFlow.js once per process and picks the fastest backend available: `@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node` (both optional peers a user may install), else the wasm backend, else the pure-JS cpu
 * backend. `MAPPA_TF_BACKEND=wasm|cpu|tensorflow` forces one. The choice is returned so callers can log it.
 */
export function loadTf(): Promise<LoadedTf> {
  cache[CACHE] ??= (async () => {
    const forced = process.env['MAPPA_TF_BACKEND'] as TfBackendName | undefined;
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
      const tf = (await import('@tensorflow/tfjs')) as unknown as Tf;
      if (!forced || forced === 'tensorflow') {
        for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
          try {
            await import(pkg);
            if (await tf.setBackend('tensorflow')) {
              await tf.ready();
              return { tf, backend: 'tensorflow', source: pkg };
            }
          } catch {
            // Not installed, or installed without its native addon: fall through to the next option.
          }
        }
        if (forced === 'tensorflow') throw new Error('MAPPA_TF_BACKEND=tensorflow but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads');
      }
      if (!forced || forced === 'wasm') {
        try {
          await import('@tensorflow/tfjs-backend-wasm');
          if (await tf.setBackend('wasm')) {
            await tf.ready();
            return { tf, backend: 'wasm', source: '@tensorflow/tfjs-backend-wasm' };
          }
        } catch (err) {
          if (forced === 'wasm') throw err;
        }
      }
      await tf.setBackend('cpu');
      await tf.ready();
      return { tf, backend: 'cpu', source: '@tensorflow/tfjs' };
    } finally {
      console.warn = origWarn;
      console.log = origLog;
    }
  })();
  return cache[CACHE];
}
