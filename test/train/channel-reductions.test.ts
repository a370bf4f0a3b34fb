// Sum and Mean over the leading axes (and over H, W) as average pooling on wasm, against tfjs's cpu kernels.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { poolingFor } from '../../src/train/channel-reductions.js';
import { onWasmWithOurKernels } from './compare.js';

onWasmWithOurKernels();

async function on<T>(backend: string, f: () => T): Promise<T> {
  expect(await tf.setBackend(backend)).toBe(true);
  return f();
}

const cases: Array<{ shape: number[]; axis: number[]; pooled: boolean }> = [
  { shape: [8, 9, 7, 16], axis: [0, 1, 2], pooled: true }, // batch-norm statistics, odd sizes
  { shape: [8, 9, 7, 16], axis: [1, 2], pooled: true }, // global average pooling
  { shape: [640, 24], axis: [0], pooled: true }, // a dense layer's bias gradient
  { shape: [4, 5, 300], axis: [0, 1], pooled: true },
  { shape: [8, 9, 7, 16], axis: [0, 1], pooled: false }, // not a layout we pool: the original kernel
  { shape: [8, 9, 7, 16], axis: [3], pooled: false },
  { shape: [32, 4], axis: [0], pooled: false }, // small: the original kernel
];

describe('pooled reductions on wasm', () => {
  for (const { shape, axis, pooled } of cases) {
    for (const keepDims of [false, true]) {
      it(`${pooled ? 'pools' : 'leaves'} ${JSON.stringify(shape)} over ${JSON.stringify(axis)}, keepDims ${keepDims}, equal to cpu`, async () => {
        expect(poolingFor(shape, axis) !== undefined).toBe(pooled);
        const run = (): [Float32Array, Float32Array, number[]] => {
          const x = tf.randomNormal(shape, 0.5, 2, 'float32', 7);
          const sum = tf.sum(x, axis, keepDims);
          const mean = tf.mean(x, axis, keepDims);
          const out: [Float32Array, Float32Array, number[]] = [sum.dataSync() as Float32Array, mean.dataSync() as Float32Array, sum.shape];
          tf.dispose([x, sum, mean]);
          return out;
        };
        const [cs, cm, cshape] = await on('cpu', run);
        const [ws, wm, wshape] = await on('wasm', run);
        expect(wshape).toEqual(cshape);
        const rows = shape.reduce((a, b) => a * b, 1) / cs.length;
        for (let i = 0; i < cs.length; i++) {
          expect(Math.abs(ws[i]! - cs[i]!)).toBeLessThan(1e-5 * rows * 4); // float32 rounding of a sum of `rows` values of scale ~2.5
          expect(Math.abs(wm[i]! - cm[i]!)).toBeLessThan(1e-5 * 4);
        }
      });
    }
  }

  it('frees its intermediates', async () => {
    await on('wasm', () => {
      const x = tf.randomNormal([8, 9, 7, 16]);
      const backend = tf.backend() as unknown as { numDataIds(): number };
      tf.dispose(tf.sum(x, [0, 1, 2]));
      const before = backend.numDataIds();
      for (let i = 0; i < 3; i++) tf.dispose([tf.sum(x, [0, 1, 2]), tf.mean(x, [1, 2], true)]);
      expect(backend.numDataIds()).toBe(before);
      x.dispose();
    });
  });
});
