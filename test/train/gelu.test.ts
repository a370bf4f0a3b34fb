// The GELU op (src/train/gelu.ts, gelu.wat on wasm): values and gradients against the exact GELU in float64 (erf
// from its series / continued fraction, not the approximation the kernels use), on wasm and cpu, on lengths that are
// not multiples of 4 (the kernel's tail lanes), and against tfjs's composed formula it replaces.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gelu } from '../../src/train/gelu.js';
import { onWasmWithOurKernels } from './compare.js';

/** erf in float64: Taylor series for |x| < 3, else the complement's continued fraction; ~1e-15. */
function erf64(x: number): number {
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let k = 60; k >= 1; k--) f = (k / 2) / (a + f);
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
  }
  return x < 0 ? -r : r;
}
const geluExact = (x: number): number => 0.5 * x * (1 + erf64(x / Math.SQRT2));
const geluGradExact = (x: number): number => 0.5 * (1 + erf64(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);

/** −12 … 12 and some tiny and huge values; 4·k + 3 of them. */
const xs = Float32Array.from([...Array.from({ length: 399 }, (_, i) => -12 + (24 * i) / 398), 1e-7, -3e-6, 40, -40, 88, -100, 0]);

onWasmWithOurKernels();

describe('gelu', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`on ${backend}: values and gradients equal the exact GELU (2e-5 relative, or erf's own absolute error)`, async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      expect(xs.length % 4).toBe(2);
      const x = tf.tensor1d(xs);
      const dy = tf.tensor1d(xs.map((_, i) => 1 + (i % 3))); // not all ones: the gradient multiplies dy
      const y = gelu(x).dataSync() as Float32Array;
      const [dx] = tf.grads((a: tf.Tensor) => gelu(a).mul(dy).sum())([x]);
      const g = dx!.dataSync() as Float32Array;
      xs.forEach((xi, i) => {
        const want = geluExact(xi);
        // 2e-5 relative, or 1e-7·|x| absolute: erf's approximation is good to 1.5e-7 absolute (½ of it in Φ, times x),
        // and in float32 1 + erf cancels for x ≪ 0 (in torch's formula too)
        expect(Math.abs(y[i]! - want), `gelu(${xi})`).toBeLessThanOrEqual(Math.max(2e-5 * Math.abs(want), 1e-7 * Math.max(1, Math.abs(xi))));
        const wantG = (1 + (i % 3)) * geluGradExact(xi);
        expect(Math.abs(g[i]! - wantG), `gelu'(${xi})`).toBeLessThanOrEqual(Math.max(2e-5 * Math.abs(wantG), 2e-7 * (1 + (i % 3))));
      });
      tf.dispose([x, dy, dx!]);
    });
  }

  it('on wasm: equals tfjs composed formula (the one it replaces) and leaves no buffer behind', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const x = tf.randomNormal([3, 5, 7], 0, 3, 'float32', 1);
    const ours = gelu(x).dataSync();
    const composed = tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5)).dataSync();
    ours.forEach((v, i) => expect(Math.abs(v - composed[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(composed[i]!))));
    const count = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    for (let i = 0; i < 3; i++) tf.dispose(tf.grads((a: tf.Tensor) => gelu(a).sum())([x]));
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(count);
    x.dispose();
  });
});
