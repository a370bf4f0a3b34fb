// The LSTM recurrence with its own backward (src/train/lstm-recurrence.ts) against the composed formula under tfjs's
// autodiff (the BiLSTM layer's code before the op existed): the same hidden states, bit for bit, and the same
// gradients of the input projection and of W_hh within float32 rounding, both directions, on cpu and on wasm; and the
// memory the op exists for: one backward pass no longer holds a weight-sized gradient per time step.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { lstmRecurrence } from '../../src/train/lstm-recurrence.js';
import { maxRelErr, onCpuThenWasm, onWasmWithOurKernels } from './compare.js';

/** The composed recurrence (autodiff through every step). */
function composed(proj: tf.Tensor3D, whh: tf.Tensor2D, reverse: boolean): tf.Tensor3D {
  const [n, t] = proj.shape;
  const h = whh.shape[0];
  const steps = tf.unstack(proj, 1);
  let hPrev: tf.Tensor2D = tf.zeros([n, h]);
  let cPrev: tf.Tensor2D = tf.zeros([n, h]);
  const out = new Array<tf.Tensor>(t);
  for (let k = 0; k < t; k++) {
    const idx = reverse ? t - 1 - k : k;
    const g = steps[idx]!.add(tf.matMul(hPrev, whh));
    const [gi, gf, gg, go] = tf.split(g, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    cPrev = tf.sigmoid(gf).mul(cPrev).add(tf.sigmoid(gi).mul(tf.tanh(gg)));
    hPrev = tf.sigmoid(go).mul(tf.tanh(cPrev));
    out[idx] = hPrev;
  }
  return tf.stack(out, 1) as tf.Tensor3D;
}

type Recurrence = typeof composed;

/** Hidden states and the gradients of Σ out·r with respect to the projection and W_hh. */
function run(f: Recurrence, n: number, t: number, h: number, reverse: boolean, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const proj = tf.randomNormal([n, t, 4 * h], 0, 1, 'float32', seed) as tf.Tensor3D;
    const whh = tf.randomUniform([h, 4 * h], -1 / Math.sqrt(h), 1 / Math.sqrt(h), 'float32', seed + 1) as tf.Tensor2D;
    const r = tf.randomNormal([n, t, h], 0, 1, 'float32', seed + 2);
    const out = f(proj, whh, reverse);
    const grads = tf.grads((p: tf.Tensor, w: tf.Tensor) => f(p as tf.Tensor3D, w as tf.Tensor2D, reverse).mul(r).sum())([proj, whh]);
    return [out, ...grads].map((x) => (x.dataSync() as Float32Array).slice());
  });
}

describe('lstmRecurrence', () => {
  onWasmWithOurKernels();

  it.each([
    [3, 7, 4, false, 1],
    [3, 7, 4, true, 2],
    [2, 13, 8, false, 3],
    [5, 2, 4, true, 4],
    [4, 24, 16, true, 5],
  ])('n=%i, t=%i, H=%i, reverse=%s (seed %i): the composed formula\'s outputs and gradients, on cpu and wasm', async (n, t, h, reverse, seed) => {
    const ours = await onCpuThenWasm(() => run(lstmRecurrence, n, t, h, reverse, seed));
    const ref = await onCpuThenWasm(() => run(composed, n, t, h, reverse, seed));
    for (const backend of ['cpu', 'wasm'] as const) {
      const [out, dProj, dW] = ours[backend];
      const [rOut, rProj, rW] = ref[backend];
      expect(out).toEqual(rOut); // the same ops in the same order
      expect(maxRelErr(dProj!, rProj!)).toBeLessThan(2e-6);
      expect(maxRelErr(dW!, rW!)).toBeLessThan(2e-6);
    }
    await tf.setBackend('wasm');
  });

  it('holds no weight-sized gradient per time step: peak bytes of a backward pass stay near the composed one\'s activations', async () => {
    // t = 64 steps of H = 64: the composed backward keeps t weight gradients of 64·256 floats (4 MB in all)
    const peak = (f: Recurrence): number =>
      tf.profile(() => {
        tf.tidy(() => {
          const proj = tf.randomNormal([1, 64, 256], 0, 1, 'float32', 1) as tf.Tensor3D;
          const whh = tf.randomUniform([64, 256], -0.1, 0.1, 'float32', 2) as tf.Tensor2D;
          tf.grads((p: tf.Tensor, w: tf.Tensor) => f(p as tf.Tensor3D, w as tf.Tensor2D, false).sum())([proj, whh]);
        });
      }).then((p) => p.peakBytes) as unknown as number;
    const ours = await (peak(lstmRecurrence) as unknown as Promise<number>);
    const theirs = await (peak(composed) as unknown as Promise<number>);
    expect(theirs).toBeGreaterThan(4 * 64 * 64 * 256); // the per-step weight gradients
    expect(ours).toBeLessThan(theirs / 3);
  });
});
