// The layer-norm op (src/train/layer-norm.ts, layer-norm.wat on wasm) against the composed formula on tfjs's cpu
// backend (an independent implementation): values and the gradients of x, γ and β, for the row lengths of the models
// (96, 256, 768) and a short one, with γ and β away from 1 and 0, and rows of very different scales.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerNorm } from '../../src/train/layer-norm.js';
import { registerWasmKernels } from '../../src/train/wasm-kernels.js';
import { maxRelErr, onCpuThenWasm } from './compare.js';

/** y and the gradients of Σ y·r for x [.., c], rows scaled by 10^(row mod 5 − 2). */
function run(shape: number[], eps: number): Float32Array[] {
  return tf.tidy(() => {
    const c = shape[shape.length - 1]!;
    const rows = shape.reduce((p, q) => p * q, 1) / c;
    const scale = tf.tensor1d(Array.from({ length: rows }, (_, i) => 10 ** ((i % 5) - 2))).reshape([...shape.slice(0, -1), 1]);
    const x = tf.randomNormal(shape, 0.5, 1, 'float32', 1).mul(scale);
    const gamma = tf.randomUniform([c], 0.5, 1.5, 'float32', 2);
    const beta = tf.randomUniform([c], -0.5, 0.5, 'float32', 3);
    const r = tf.randomNormal(shape, 0, 1, 'float32', 4);
    const y = layerNorm(x, gamma, beta, eps);
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(a, g, b, eps).mul(r).sum())([x, gamma, beta]);
    return [y, ...grads].map((t) => (t.dataSync() as Float32Array).slice());
  });
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  registerWasmKernels();
});

describe('layerNorm on wasm against the composed formula on cpu', () => {
  for (const [shape, eps] of [[[2, 16, 16, 96], 1e-6], [[8, 17, 768], 1e-6], [[4, 16, 256], 1e-5], [[3, 5, 4], 1e-5]] as const) {
    it(`x ${JSON.stringify(shape)}, eps ${eps}: y, dx, dγ, dβ`, async () => {
      const { cpu, wasm } = await onCpuThenWasm(() => run([...shape], eps));
      ['y', 'dx', 'dγ', 'dβ'].forEach((name, i) => expect(maxRelErr(wasm[i]!, cpu[i]!), name).toBeLessThan(2e-5));
    });
  }

  it('rows whose length is not a multiple of 4 take the composed formula; no buffer is left behind', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const x = tf.randomNormal([6, 7], 0, 1, 'float32', 5);
    const g = tf.ones([7]);
    const b = tf.zeros([7]);
    const y = layerNorm(x, g, b, 1e-5).dataSync();
    const { mean, variance } = tf.moments(x, 1, true);
    const want = x.sub(mean).div(variance.add(1e-5).sqrt()).dataSync();
    y.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    const x4 = tf.randomNormal([6, 8], 0, 1, 'float32', 6);
    const g4 = tf.ones([8]);
    const b4 = tf.zeros([8]);
    const count = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    for (let i = 0; i < 3; i++) tf.dispose(tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => layerNorm(a, gg, bb, 1e-5).sum())([x4, g4, b4]));
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(count);
    tf.dispose([x, g, b, mean, variance, x4, g4, b4]);
  });
});
