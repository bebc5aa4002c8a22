import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs-core';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { zeroCopyKernelsActive } from '../../plugins/tfjs/zeroCopyKernels.js';

const loaded = await loadTf();
const { tf } = loaded;

describe.runIf(loaded.backend === 'wasm')('zero-copy Identity and same-dtype Cast on wasm', () => {
  it('are installed by loadTf', () => {
    expect(loaded.zeroCopyKernels).toBe(true);
    expect(zeroCopyKernelsActive(tf)).toBe(true);
  });

  it('clone and float32→float32 cast share the data: no new buffer, same values, and each outlives the original', () => {
    const x = tf.tensor1d([1.5, -2.25, 3e-8, 7]);
    const buffers = tf.memory().numDataBuffers;
    const c = tf.clone(x);
    const f = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect([...c.dataSync()]).toEqual([1.5, -2.25, Math.fround(3e-8), 7]);
    expect([...f.dataSync()]).toEqual([1.5, -2.25, Math.fround(3e-8), 7]);
    c.dispose();
    expect([...f.dataSync()]).toEqual([1.5, -2.25, Math.fround(3e-8), 7]);
    f.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });

  it('casts to another dtype still convert (and allocate)', () => {
    const x = tf.tensor1d([1.7, -2.2, 0]);
    const buffers = tf.memory().numDataBuffers;
    const i = tf.cast(x, 'int32');
    expect(tf.memory().numDataBuffers).toBe(buffers + 1);
    expect([...i.dataSync()]).toEqual([1, -2, 0]);
    tf.dispose([x, i]);
  });

  it('a variable assigned from a clone does not change the clone or its source', () => {
    const src = tf.tensor1d([1, 2, 3]);
    const v = tf.variable(tf.clone(src));
    const snap = tf.clone(v);
    v.assign(tf.tensor1d([9, 9, 9]));
    expect([...snap.dataSync()]).toEqual([1, 2, 3]);
    expect([...src.dataSync()]).toEqual([1, 2, 3]);
    expect([...v.dataSync()]).toEqual([9, 9, 9]);
    tf.dispose([src, v, snap]);
  });

  it('gradients through saved (cloned) tensors are right and leak nothing', () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const before = tf.memory().numTensors;
    const g = tf.grad((a: TF.Tensor) => tf.sum(tf.mul(tf.mul(a, a), tf.cast(a, 'float32'))))(x);
    // d/da Σ a³ = 3a²
    expect([...g.dataSync()]).toEqual([0.75, 3, 12]);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
