// TorchAdam: PyTorch's Adam (L2 decay added to the gradient) and AdamW, in JS memory. A step updates the variable and
// never the tensors that share its storage (a clone of the weights kept as "best epoch").
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { TorchAdam } from '../../src/train/optimizer.js';

describe('TorchAdam on wasm, when its own allocation grows the heap', () => {
  it('takes its heap views after allocating: AdamW with array gradients still equals the formula', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const heapBytes = (): number => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
    // a weight larger than the free heap: the new-weights tensor the update allocates must grow the memory
    const size = Math.ceil(heapBytes() / 4) + (1 << 20);
    const start = new Float32Array(size).map((_, i) => ((i % 7) - 3) / 4);
    const w = tf.variable(tf.tensor1d(start));
    const grad = new Float32Array(size).map((_, i) => ((i % 5) - 2) / 10);
    const opt = new TorchAdam([w], { kind: 'adamw', lr: 0.01, weightDecay: 0.1 });
    const before = heapBytes();
    opt.apply([grad]);
    expect(heapBytes()).toBeGreaterThan(before);
    const got = w.dataSync() as Float32Array;
    for (const i of [0, 1, 2, 3, 4, 5, 6, size >> 1, size - 1]) {
      // step 1, decoupled decay: p·(1 − lr·wd) − lr·m̂/(√v̂ + eps), with m̂ = g and v̂ = g²
      const g = grad[i]!;
      const expected = start[i]! * (1 - 0.01 * 0.1) - (0.01 * g) / (Math.abs(g) + 1e-8);
      expect(got[i]!, `weight ${i}`).toBeCloseTo(expected, 5);
    }
    w.dispose();
  });
});

describe('TorchAdam', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`on ${backend}: three steps equal PyTorch's formula, and a clone of the weights stays as it was`, async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const start = [0.5, -1, 2];
      const w = tf.variable(tf.tensor1d(start));
      const kept = tf.clone(w); // shares the variable's data until the variable is assigned
      const opt = new TorchAdam([w], { kind: 'adam', lr: 0.1, weightDecay: 0.01 });
      // gradients that change sign: after step 1 (≈ lr·sign(g) whatever the moments) the betas and bias corrections show
      const steps = [
        [0.2, -0.4, 1],
        [-0.3, 0.1, 0.5],
        [0.05, -0.2, -1],
      ];
      // torch.optim.Adam in float64: g' = g + wd·p; m = b1·m + (1-b1)·g'; v = b2·v + (1-b2)·g'²;
      // p -= lr/(1-b1^t) · m / (sqrt(v)/sqrt(1-b2^t) + eps)
      const p = [...start];
      const m = [0, 0, 0];
      const v = [0, 0, 0];
      for (const [t, grads] of steps.entries()) {
        opt.apply([tf.tensor1d(grads)]);
        const c1 = 1 - 0.9 ** (t + 1);
        const c2 = 1 - 0.999 ** (t + 1);
        for (let i = 0; i < 3; i++) {
          const g = (grads[i] as number) + 0.01 * (p[i] as number);
          m[i] = 0.9 * (m[i] as number) + 0.1 * g;
          v[i] = 0.999 * (v[i] as number) + 0.001 * g * g;
          p[i] = (p[i] as number) - ((0.1 / c1) * (m[i] as number)) / (Math.sqrt(v[i] as number) / Math.sqrt(c2) + 1e-8);
        }
        const got = [...(w.dataSync() as Float32Array)];
        got.forEach((x, i) => expect(x, `step ${t + 1}, weight ${i}`).toBeCloseTo(p[i] as number, 5));
        if (t === 0) expect([...(kept.dataSync() as Float32Array)]).toEqual(start);
      }
    });

    it(`on ${backend}: steps with tensor or array gradients leave no tensor or buffer behind`, async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const w = [tf.variable(tf.randomNormal([64, 3], 0, 1, 'float32', 1)), tf.variable(tf.randomNormal([5], 0, 1, 'float32', 2))];
      const opt = new TorchAdam(w, { kind: 'adamw', lr: 0.01, weightDecay: 0.1 });
      const g = w.map((p) => tf.onesLike(p));
      opt.apply(g);
      const tensors = tf.memory().numTensors;
      const buffers = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
      for (let i = 0; i < 3; i++) opt.apply(i % 2 === 0 ? g : g.map((t) => t.dataSync() as Float32Array));
      expect(tf.memory().numTensors).toBe(tensors);
      expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(buffers);
      expect(opt.step).toBe(4);
      tf.dispose([...w, ...g]);
    });
  }
});
