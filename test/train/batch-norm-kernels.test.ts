// Training-mode batch norm on our wasm kernels (src/train/batch-norm-kernels.ts, batch-norm.wat) against the same
// layer composed of tfjs ops (SyncBatchNormalization with the kernels off): the output, the gradients of x, gamma and
// beta, and the moving statistics, for several channel counts and ranks; and the shapes the kernels leave alone.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { batchNormKernelsApply } from '../../src/train/batch-norm-kernels.js';
import { SyncBatchNormalization, useBatchNormKernels } from '../../src/train/sync-batch-norm.js';
import { maxRelErr, onWasmWithOurKernels } from './compare.js';

onWasmWithOurKernels();
afterAll(() => useBatchNormKernels(true));

/** One training-mode pass of a fresh layer with fixed weights: output, gradients, moving statistics after it. */
function pass(shape: number[], kernels: boolean, mean = 2, sd = 3): Float32Array[] {
  useBatchNormKernels(kernels);
  const c = shape[shape.length - 1]!;
  const layer = new SyncBatchNormalization({ name: `bn${c}_${kernels}`, momentum: 0.9, epsilon: 1e-5 });
  const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 1), sd), mean); // the centring matters
  const w = tf.randomNormal(shape, 0, 1, 'float32', 2); // a loss whose gradient differs per element
  layer.apply(x, { training: false });
  layer.setWeights([tf.randomUniform([c], 0.5, 2, 'float32', 3), tf.randomUniform([c], -1, 1, 'float32', 4), tf.zeros([c]), tf.ones([c])]);
  const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  let y: tf.Tensor | undefined;
  const xv = tf.variable(x);
  const { grads } = tf.variableGrads(() => {
    y = tf.keep(layer.apply(xv, { training: true }) as tf.Tensor);
    return tf.sum(tf.mul(y, w)) as tf.Scalar;
  }, [xv, ...vars]);
  const out = [y!, grads[xv.name]!, ...vars.map((v) => grads[v.name]!), ...layer.getWeights().slice(2)].map((t) => t.dataSync() as Float32Array);
  tf.dispose([x, w, xv, y!, ...Object.values(grads)]);
  layer.dispose();
  return out;
}

describe('batch norm kernels', () => {
  for (const shape of [[4, 5, 6, 8], [2, 3, 3, 64], [16, 12], [32, 2, 2, 2048]]) {
    it(`${JSON.stringify(shape)}: output, dx, dgamma, dbeta, moving mean and variance match the composed layer`, () => {
      expect(batchNormKernelsApply(tf.zeros(shape))).toBe(true);
      const composed = pass(shape, false);
      const ours = pass(shape, true);
      const names = ['y', 'dx', 'dgamma', 'dbeta', 'moving mean', 'moving variance'];
      composed.forEach((want, i) => expect(maxRelErr(ours[i]!, want), names[i]).toBeLessThan(2e-5));
    });
  }

  it('a mean far from zero against the spread (1000 ± 0.5) loses nothing to cancellation: centred before scaling', () => {
    const composed = pass([8, 4, 4, 16], false, 1000, 0.5);
    const ours = pass([8, 4, 4, 16], true, 1000, 0.5);
    ['y', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => expect(maxRelErr(ours[i]!, composed[i]!), name).toBeLessThan(2e-5));
  });

  it('leaves alone what it does not handle: channels not a multiple of 4, other dtypes, other backends', async () => {
    expect(batchNormKernelsApply(tf.zeros([2, 3, 3, 6]))).toBe(false);
    expect(batchNormKernelsApply(tf.zeros([2, 4], 'int32'))).toBe(false);
    await tf.setBackend('cpu');
    expect(batchNormKernelsApply(tf.zeros([2, 4]))).toBe(false);
    await tf.setBackend('wasm');
  });
});
