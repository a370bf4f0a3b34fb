// A step cut into pieces (micro-batches, step-plan.ts) is the whole batch's step: for the models without batch norm
// the same loss, outputs and update within float32 rounding — dropout included, since masks are drawn per row of the
// batch — and for SENet at sizes where the plan says 'piece', each piece normalised by its own rows: the documented
// difference from the whole batch's statistics (README "Training at 224×224").
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ModelName } from '../../src/train/models.js';
import { TorchAdam } from '../../src/train/optimizer.js';
import { trainStep } from '../../src/train/step.js';
import { registerWasmKernels } from '../../src/train/wasm-kernels.js';
import { maxRelErr } from './compare.js';

function batch(n: number, size: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = tf.randomNormal([n, size, size, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
  const y = tf.tensor2d(Float32Array.from({ length: n * 4 }, (_, i) => ((i * 7 + seed) % 5 < 2 ? 1 : 0)), [n, 4]);
  return { x, y };
}

/**
 * One step of `model` on the batch, whole or in pieces of `micro` rows: loss, outputs and the update w1 − w0. Adam's
 * eps is made large so that its first update is lr·g/(|g| + eps) ≈ lr·g/eps, linear in the gradient, instead of
 * ~lr·sign(g), which would turn a rounding difference of a near-zero gradient into a full step.
 */
async function step(name: ModelName, size: number, micro: number | undefined, seed: number): Promise<{ loss: number; probs: Float32Array; update: Float32Array }> {
  const model = buildModel(name, { size, seed: 1 });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const before = vars.map((v) => (v.dataSync() as Float32Array).slice());
  const opt = new TorchAdam(vars, { kind: 'adam', lr: 1, weightDecay: 0, eps: 1e3 });
  const { x, y } = batch(8, size, seed);
  try {
    const r = await trainStep(model, opt, x, y, undefined, 3, micro, undefined, micro === undefined ? 'batch' : 'piece');
    const after = model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
    const update = new Float32Array(before.reduce((a, w) => a + w.length, 0));
    let o = 0;
    before.forEach((w, i) => {
      for (let j = 0; j < w.length; j++) update[o + j] = after[i]![j]! - w[j]!;
      o += w.length;
    });
    return { loss: r.loss, probs: r.probs, update };
  } finally {
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  }
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  registerWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('micro-batched steps', () => {
  it.each<[ModelName, number, number, number]>([
    ['ConvNeXtV2_2D', 32, 2, 11],
    ['VisionLSTM', 32, 4, 12], // dropout 0.1
    ['ViT', 32, 2, 13], // dropout 0.1, on attention too
    ['AlexNet2D', 64, 4, 14], // dropout 0.5
    ['ViT', 48, 3, 15], // pieces of 3, 3 and 2
  ])('%s at %i px in pieces of %i (seed %i): the whole batch\'s loss, outputs and update within float32 rounding', async (name, size, micro, seed) => {
    const whole = await step(name, size, undefined, seed);
    const pieces = await step(name, size, micro, seed);
    expect(Math.abs(pieces.loss - whole.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(whole.loss)));
    expect(maxRelErr(pieces.probs, whole.probs)).toBeLessThan(1e-5);
    expect(maxRelErr(pieces.update, whole.update)).toBeLessThan(1e-4);
  }, 120_000);

  it('SENet in pieces normalised on their own differs from the whole batch: its outputs are those of each piece alone', async () => {
    const size = 32;
    const whole = await step('SENet', size, undefined, 21);
    const pieces = await step('SENet', size, 4, 21);
    // each piece's training-mode outputs equal the model run on that piece alone (statistics of its own 4 rows) …
    const model = buildModel('SENet', { size, seed: 1 });
    const { x } = batch(8, size, 21);
    const alone = tf.tidy(() => tf.concat([0, 4].map((start) => tf.sigmoid(model.apply(x.slice([start, 0, 0, 0], [4, -1, -1, -1]), { training: true }) as tf.Tensor)), 0).dataSync() as Float32Array);
    tf.dispose(x);
    model.dispose();
    expect(maxRelErr(pieces.probs, alone)).toBeLessThan(1e-5);
    // … and not the whole batch's: the difference is real, which is why it is documented and recorded
    expect(maxRelErr(pieces.probs, whole.probs)).toBeGreaterThan(1e-3);
  }, 120_000);
});
