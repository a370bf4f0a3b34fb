// Our FMA matrix product (src/train/gemm.ts, gemm.wat) against float64 products of the same values, for the shapes
// its blocking and edges handle differently: rows past the last block of 4, columns past the last panel of 8, more
// than one block of 256 along k (the later blocks add into C) and along n, batched and broadcast operands; and as
// wasm's BatchMatMul and _FusedMatMul once registered.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fmaGemmAvailable, fmaProduct } from '../../src/train/gemm.js';
import type { Backend } from '../../src/train/kernel-scope.js';
import { onWasmWithOurKernels, referenceProduct } from './compare.js';

const rand = (shape: number[], seed: number): tf.Tensor => tf.randomUniform(shape, -1, 1, 'float32', seed);
const backend = (): Backend => tf.backend() as unknown as Backend;
const buffers = (): number => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();

/** fmaProduct's result as an engine tensor, so it can be read and freed like any other. */
function product(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const info = fmaProduct(backend(), a, b);
  if (info === undefined) throw new Error('fmaProduct declined');
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** Largest |got − want| over the matrix, relative to √k (the size of a sum of k products of values in [−1, 1]). */
function error(got: Float32Array, want: Float64Array, k: number): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst / Math.sqrt(k);
}

onWasmWithOurKernels();

describe('FMA product', () => {
  it('runs here (Node ≥ 20 has relaxed SIMD, behind a flag on 20 that gemm.ts sets)', () => {
    expect(fmaGemmAvailable).toBe(true);
  });

  const shapes: [m: number, k: number, n: number][] = [
    [1, 1, 1], [3, 5, 7], [4, 8, 8], [5, 17, 9], [6, 40, 16], [7, 300, 15], [17, 64, 64], [33, 257, 263], [64, 700, 520],
  ];
  for (const [m, k, n] of shapes) {
    it(`[${m},${k}]·[${k},${n}] matches float64`, async () => {
      const a = rand([m, k], m + k);
      const b = rand([k, n], k + n);
      const c = product(a, b);
      expect(c.shape).toEqual([m, n]);
      const want = referenceProduct(await a.data() as Float32Array, await b.data() as Float32Array, m, k, n);
      expect(error(await c.data() as Float32Array, want, k)).toBeLessThan(1e-6);
      tf.dispose([a, b, c]);
    });
  }

  it('batched, and with either operand broadcast over the batch', async () => {
    const [m, k, n] = [9, 20, 12];
    for (const [ba, bb] of [[3, 3], [1, 3], [3, 1]] as const) {
      const a = rand([ba, m, k], 1);
      const b = rand([bb, k, n], 2);
      const c = product(a, b);
      expect(c.shape).toEqual([3, m, n]);
      const av = await a.data() as Float32Array;
      const bv = await b.data() as Float32Array;
      const cv = await c.data() as Float32Array;
      for (let i = 0; i < 3; i++) {
        const want = referenceProduct(av.subarray((ba === 1 ? 0 : i) * m * k, ((ba === 1 ? 0 : i) + 1) * m * k), bv.subarray((bb === 1 ? 0 : i) * k * n, ((bb === 1 ? 0 : i) + 1) * k * n), m, k, n);
        expect(error(cv.subarray(i * m * n, (i + 1) * m * n), want, k)).toBeLessThan(1e-6);
      }
      tf.dispose([a, b, c]);
    }
  });

  it('declines what it does not compute: other dtypes, empty operands, batches that broadcast otherwise', () => {
    const ints = tf.ones([4, 4], 'int32');
    const empty = tf.zeros([0, 4]);
    const twoBatches = tf.zeros([2, 4, 4]);
    const threeBatches = tf.zeros([3, 4, 4]);
    expect(fmaProduct(backend(), ints, ints)).toBeUndefined();
    expect(fmaProduct(backend(), empty, tf.zeros([4, 4]))).toBeUndefined();
    expect(fmaProduct(backend(), twoBatches, threeBatches)).toBeUndefined();
    // broadcasts of equal batch size but another shape, or ranks that differ: tfjs's own rules, wasm's own product
    const a31 = tf.zeros([3, 1, 4, 4]);
    const b13 = tf.zeros([1, 3, 4, 4]);
    const plain = tf.zeros([4, 4]);
    const one = tf.zeros([1, 4, 4]);
    expect(fmaProduct(backend(), a31, b13)).toBeUndefined();
    expect(fmaProduct(backend(), plain, one)).toBeUndefined();
    tf.dispose([ints, empty, twoBatches, threeBatches, a31, b13, plain, one]);
  });

  it('writes only its output: its scratch area is its own, other tensors keep their values', async () => {
    const keep = rand([300, 300], 9);
    const before = Float32Array.from(await keep.data() as Float32Array);
    const held = buffers();
    const c = product(rand([40, 600], 3), rand([600, 600], 4));
    expect(buffers()).toBe(held + 3);
    expect(Array.from(await keep.data() as Float32Array)).toEqual(Array.from(before));
    tf.dispose([keep, c]);
  });
});

describe('as the wasm backend\'s products', () => {
  it('tf.matMul (BatchMatMul) gives the FMA product\'s bits, transposed operands included', async () => {
    const a = rand([50, 70], 5);
    const b = rand([70, 90], 6);
    const direct = product(a, b);
    const viaKernel = tf.matMul(a, b);
    expect(Array.from(await viaKernel.data())).toEqual(Array.from(await direct.data()));
    // Aᵀ·B and A·Bᵀ are rewritten into plain products with explicit transposes: the same values, the same sums
    const at = tf.transpose(a);
    const bt = tf.transpose(b);
    expect(Array.from(await tf.matMul(at, b, true, false).data())).toEqual(Array.from(await direct.data()));
    expect(Array.from(await tf.matMul(a, bt, false, true).data())).toEqual(Array.from(await direct.data()));
    tf.dispose([a, b, direct, viaKernel, at, bt]);
  });

  it('a dense layer\'s _FusedMatMul: product, bias and relu', async () => {
    const x = rand([20, 30], 7);
    const w = rand([30, 24], 8);
    const bias = rand([24], 9);
    const got = tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' });
    const p = referenceProduct(await x.data() as Float32Array, await w.data() as Float32Array, 20, 30, 24);
    const bv = await bias.data();
    const want = p.map((v, i) => Math.max(0, v + bv[i % 24]!));
    expect(error(await got.data() as Float32Array, want, 30)).toBeLessThan(1e-6);
    const direct = product(x, w);
    const fromProduct = tf.relu(tf.add(direct, bias));
    expect(Array.from(await got.data())).toEqual(Array.from(await fromProduct.data()));
    tf.dispose([x, w, bias, got, direct, fromProduct]);
  });
});
