import { describe, expect, it } from 'vitest';
import { forcedTfBackend, loadTf } from '../../plugins/tfjs/loadTf.js';

describe('MAPPA_TF_BACKEND', () => {
  it('accepts the known backends and rejects anything else by name', () => {
    expect(forcedTfBackend({})).toBeUndefined();
    expect(forcedTfBackend({ MAPPA_TF_BACKEND: 'wasm' })).toBe('wasm');
    expect(forcedTfBackend({ MAPPA_TF_BACKEND: 'cpu' })).toBe('cpu');
    expect(() => forcedTfBackend({ MAPPA_TF_BACKEND: 'webgl' })).toThrow(/MAPPA_TF_BACKEND=webgl .*tensorflow, wasm, cpu/);
  });

  // This project does not install the native backends, so demanding them must fail loudly instead of falling back.
  it('makes a missing native backend an error instead of a silent fallback to wasm', async () => {
    const before = process.env['MAPPA_TF_BACKEND'];
    process.env['MAPPA_TF_BACKEND'] = 'tensorflow';
    try {
      await expect(loadTf()).rejects.toThrow(/MAPPA_TF_BACKEND=tensorflow but neither @tensorflow\/tfjs-node-gpu nor @tensorflow\/tfjs-node loads/);
    } finally {
      if (before === undefined) delete process.env['MAPPA_TF_BACKEND'];
      else process.env['MAPPA_TF_BACKEND'] = before;
    }
  });
});
