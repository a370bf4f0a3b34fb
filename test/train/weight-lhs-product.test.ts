// Products with a large weight on the right, computed on wasm as (Wᵀ·xᵀ)ᵀ from a transposed copy of the weight kept
// while its buffer lives (src/train/weight-lhs-product.ts). Checked against tfjs's cpu kernels, and for what a cache
// can get wrong: a stale copy after the weight changed, a copy that outlives its weight, copies of non-weights.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cachedWeightCopies, transposeOnHeap, weightOnLeftPays } from '../../src/train/weight-lhs-product.js';
import type { Backend } from '../../src/train/kernel-scope.js';
import { maxRelErr, onCpuThenWasm, onWasmWithOurKernels, referenceProduct as reference } from './compare.js';

const rand = (shape: number[], seed: number): tf.Tensor => tf.randomUniform(shape, -1, 1, 'float32', seed);
const buffers = (): number => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
const copies = (): number => cachedWeightCopies(tf.backend() as unknown as Backend);
/** A variable that alone holds its buffer (tf.variable shares its initial tensor's buffer; tidy frees that one). */
const weight = (shape: number[], seed: number): tf.Variable => tf.tidy(() => tf.variable(rand(shape, seed)));

function maxAbsErr(got: Float32Array, want: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst;
}

onWasmWithOurKernels();

describe('weightOnLeftPays', () => {
  const info = (shape: number[]): tf.TensorInfo => ({ dataId: {}, shape, dtype: 'float32' });
  it('takes large right-hand matrices of unbatched products only', () => {
    expect(weightOnLeftPays(info([32, 9216]), info([9216, 4096]))).toBe(true);
    expect(weightOnLeftPays(info([1, 136, 768]), info([1, 768, 2304]))).toBe(true);
    expect(weightOnLeftPays(info([2, 32, 512]), info([1, 512, 512]))).toBe(false); // batched
    expect(weightOnLeftPays(info([4096, 512]), info([512, 512]))).toBe(false); // the activations outweigh it
    expect(weightOnLeftPays(info([2, 64]), info([64, 64]))).toBe(false); // too small to matter
    expect(weightOnLeftPays(info([0, 300]), info([300, 300]))).toBe(false); // no rows: nothing to gain, XNNPACK refuses
  });
});

describe('transposeOnHeap', () => {
  it('transposes shapes that are not multiples of its tile', () => {
    for (const [r, c] of [[1, 1], [4, 4], [33, 70], [64, 31], [100, 1], [5, 68], [130, 203]] as const) {
      const m = rand([r, c], r * 100 + c);
      const t = tf.engine().makeTensorFromTensorInfo(transposeOnHeap(tf.backend() as unknown as Backend, m));
      expect(t.shape).toEqual([c, r]);
      expect([...(t.dataSync() as Float32Array)]).toEqual([...(tf.transpose(m).dataSync() as Float32Array)]);
      tf.dispose([m, t]);
    }
  });
});

describe('x·W with W on the left (wasm)', () => {
  const [m, k, n] = [8, 300, 260];

  it('equals the float64 product for a weight (variable), a reshaped one, a plain tensor and a dense layer', () => {
    const x = rand([m, k], 1);
    const w = weight([k, n], 2);
    const t = rand([k, n], 3);
    const want = reference(x.dataSync() as Float32Array, w.dataSync() as Float32Array, m, k, n);
    const wantT = reference(x.dataSync() as Float32Array, t.dataSync() as Float32Array, m, k, n);
    expect(weightOnLeftPays({ ...x, shape: x.shape, dtype: 'float32', dataId: x.dataId }, { shape: w.shape, dtype: 'float32', dataId: w.dataId })).toBe(true);
    const before = copies();
    const y = tf.matMul(x as tf.Tensor2D, w as unknown as tf.Tensor2D);
    expect(copies()).toBe(before + 1); // the variable's transposed copy is kept
    expect(maxAbsErr(y.dataSync() as Float32Array, want)).toBeLessThan(1e-4);
    const y3 = tf.tidy(() => tf.matMul(x.reshape([1, m, k]) as tf.Tensor3D, w.reshape([1, k, n]) as tf.Tensor3D));
    expect(y3.shape).toEqual([1, m, n]);
    expect(copies()).toBe(before + 1); // same buffer, same copy
    expect(maxAbsErr(y3.dataSync() as Float32Array, want)).toBeLessThan(1e-4);
    const yt = tf.matMul(x as tf.Tensor2D, t as tf.Tensor2D);
    expect(copies()).toBe(before + 1); // not a variable: transposed for the one product only
    expect(maxAbsErr(yt.dataSync() as Float32Array, wantT)).toBeLessThan(1e-4);
    tf.dispose([x, w, t, y, y3, yt]);
    expect(copies()).toBe(before);
  });

  it('tf.layers.dense (fused product, bias and relu) and its gradients agree with cpu', async () => {
    const run = (): Float32Array[] => {
      const layer = tf.layers.dense({ units: n, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 5 }) });
      const x = rand([m, k], 6);
      const inference = layer.apply(x) as tf.Tensor; // no tape: the fused kernel
      const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => (layer.apply(x) as tf.Tensor).square().sum() as tf.Scalar, vars);
      const dx = tf.grad((xi: tf.Tensor) => (layer.apply(xi) as tf.Tensor).sum())(x);
      const out = [inference, value, ...vars.map((v) => grads[v.name]!), dx].map((t) => (t.dataSync() as Float32Array).slice());
      tf.dispose([x, inference, value, dx, ...Object.values(grads)]);
      layer.dispose();
      return out;
    };
    const { cpu, wasm } = await onCpuThenWasm(run);
    cpu.forEach((c, i) => expect(maxRelErr(wasm[i]!, c), `output ${i}`).toBeLessThan(1e-5));
  });

  it('a weight buffer seen through a reshape of another layout gets its own transpose, not the cached copy', () => {
    const w = weight([256, 512], 12);
    const x1 = rand([4, 256], 13);
    const x2 = rand([4, 512], 14);
    const y1 = tf.matMul(x1 as tf.Tensor2D, w as unknown as tf.Tensor2D); // caches the [512,256] copy
    const other = w.reshape([512, 256]);
    const y2 = tf.matMul(x2 as tf.Tensor2D, other as tf.Tensor2D);
    expect(maxAbsErr(y1.dataSync() as Float32Array, reference(x1.dataSync() as Float32Array, w.dataSync() as Float32Array, 4, 256, 512))).toBeLessThan(1e-4);
    expect(maxAbsErr(y2.dataSync() as Float32Array, reference(x2.dataSync() as Float32Array, other.dataSync() as Float32Array, 4, 512, 256))).toBeLessThan(1e-4);
    const y3 = tf.matMul(x1 as tf.Tensor2D, w as unknown as tf.Tensor2D); // the cached copy still serves its own layout
    expect([...(y3.dataSync() as Float32Array)]).toEqual([...(y1.dataSync() as Float32Array)]);
    tf.dispose([w, x1, x2, y1, other, y2, y3]);
  });

  it('shapes that are not multiples of 4 (the tails of the transposes), forward and gradients, agree with cpu', async () => {
    const run = (): Float32Array[] => tf.tidy(() => {
      const x = rand([7, 301], 15);
      const w = tf.variable(rand([301, 257], 16));
      const y = tf.matMul(x as tf.Tensor2D, w as unknown as tf.Tensor2D);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D).square().sum())([x, w]);
      const out = [y, dx!, dw!].map((t) => (t.dataSync() as Float32Array).slice());
      w.dispose();
      return out;
    });
    const { cpu, wasm } = await onCpuThenWasm(run);
    cpu.forEach((c, i) => expect(maxRelErr(wasm[i]!, c), `output ${i}`).toBeLessThan(1e-5));
  });

  it('uses the new values after the weight is assigned, and frees the old copy with the old buffer', () => {
    const x = rand([m, k], 7);
    const w = weight([k, n], 8);
    tf.matMul(x as tf.Tensor2D, w as unknown as tf.Tensor2D).dispose();
    const held = copies();
    const count = buffers();
    for (let step = 0; step < 3; step++) {
      const next = rand([k, n], 20 + step);
      w.assign(next); // what the optimizer does: a new buffer; the old one is freed
      next.dispose();
      const y = tf.matMul(x as tf.Tensor2D, w as unknown as tf.Tensor2D);
      const want = reference(x.dataSync() as Float32Array, w.dataSync() as Float32Array, m, k, n);
      expect(maxAbsErr(y.dataSync() as Float32Array, want), `step ${step}`).toBeLessThan(1e-4);
      y.dispose();
      expect(copies()).toBe(held);
      expect(buffers()).toBe(count);
    }
    w.dispose();
    expect(copies()).toBe(held - 1);
    x.dispose();
  });

  it('a weight buffer another tensor shares keeps its copy until the last reference goes', () => {
    const x = rand([m, k], 9);
    const w = weight([k, n], 10);
    const kept = tf.reshape(w, [k, n]); // shares the buffer (on wasm a reshape adds a reference to it)
    expect(kept.dataId).toBe(w.dataId);
    tf.matMul(x as tf.Tensor2D, w as unknown as tf.Tensor2D).dispose();
    const held = copies();
    tf.tidy(() => w.assign(rand([k, n], 11))); // the variable moves on; the clone still holds the old buffer
    expect(copies()).toBe(held);
    const y = tf.matMul(x as tf.Tensor2D, kept as tf.Tensor2D); // the old buffer is no variable's any more
    const want = reference(x.dataSync() as Float32Array, kept.dataSync() as Float32Array, m, k, n);
    expect(maxAbsErr(y.dataSync() as Float32Array, want)).toBeLessThan(1e-4);
    kept.dispose();
    expect(copies()).toBe(held - 1);
    tf.dispose([x, w, y]);
  });
});
