// The batch-norm gradient without Tile gives the same gradients as tfjs's own, bit for bit, and no Tile runs.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerBatchNormGradient } from '../../src/train/batch-norm-gradient.js';

/** Gradients of a training-mode batch norm (moments of the batch, as tf.layers does) w.r.t. x, gamma and beta. */
function gradients(shape: number[]): Float32Array[] {
  const c = shape[shape.length - 1] as number;
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const gamma = tf.randomNormal([c], 1, 0.1, 'float32', 2);
  const beta = tf.randomNormal([c], 0, 0.1, 'float32', 3);
  const upstream = tf.randomNormal(shape, 0, 1, 'float32', 4);
  const axes = shape.slice(0, -1).map((_, i) => i);
  const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
    const { mean, variance } = tf.moments(xi, axes);
    return tf.sum(tf.mul(tf.batchNorm(xi, mean, variance, b, g, 1e-3), upstream));
  };
  return tf.tidy(() => tf.grads(f)([x, gamma, beta]).map((t) => t.dataSync() as Float32Array));
}

/** The names of the kernels a computation runs. */
async function kernelsOf(f: () => unknown): Promise<string[]> {
  const profile = await tf.profile(() => {
    f();
  });
  return profile.kernels.map((k) => k.name);
}

describe('batch-norm gradient without Tile', () => {
  it("equals tfjs's own bit for bit on wasm and cpu (rank-4 and rank-2 input), and runs no Tile", async () => {
    const cases = [
      { backend: 'wasm', shape: [4, 6, 5, 7] },
      { backend: 'cpu', shape: [4, 6, 5, 7] },
    ];
    // tfjs's own gradient first (the registry is global: ours replaces it for the rest of this file)
    const before: Float32Array[][] = [];
    for (const c of cases) {
      expect(await tf.setBackend(c.backend)).toBe(true);
      before.push(gradients(c.shape));
      expect((await kernelsOf(() => gradients(c.shape))).filter((n) => n === 'Tile').length).toBeGreaterThan(0);
    }
    registerBatchNormGradient();
    for (const [k, c] of cases.entries()) {
      expect(await tf.setBackend(c.backend)).toBe(true);
      const after = gradients(c.shape);
      expect(after.length).toBe(3);
      for (let i = 0; i < 3; i++) {
        const same = Buffer.from((after[i] as Float32Array).buffer).equals(Buffer.from((before[k]?.[i] as Float32Array).buffer));
        expect(same, `${c.backend}: gradient ${i}`).toBe(true);
      }
      expect(await kernelsOf(() => gradients(c.shape))).not.toContain('Tile');
    }
    // rank 2 (tfjs's own gradient cannot tile there): ours broadcasts, and gives what the same values laid out as
    // [8, 1, 1, 5] give (the same seeded values, the same batch statistics)
    expect(await tf.setBackend('cpu')).toBe(true);
    const flat = gradients([8, 5]);
    const spatial = gradients([8, 1, 1, 5]);
    for (let i = 0; i < 3; i++) expect(Buffer.from((flat[i] as Float32Array).buffer).equals(Buffer.from((spatial[i] as Float32Array).buffer)), `rank 2: gradient ${i}`).toBe(true);
  });
});
