// One optimisation step, shared by the trainer and the speed benchmark so the benchmark measures what training does.
// A batch may be split into micro-batches whose gradients are summed (weighted by rows) before the single Adam
// update: the same step mathematically for models without batch norm, and it bounds the activation memory the
// gradient tape holds (ViT at 64×64 batch 32 needs more than the 4 GB wasm heap in one piece).
import * as tf from '@tensorflow/tfjs';
import { stepRandomness } from './layers.js';
import { bceWithLogits } from './loss.js';
import type { TorchAdam } from './optimizer.js';

export interface StepResult {
  loss: number;
  /** Sigmoid outputs of the training-mode forward pass, n×4. */
  probs: Float32Array;
}

function slice(t: tf.Tensor, start: number, rows: number): tf.Tensor {
  const begin = t.shape.map((_, i) => (i === 0 ? start : 0));
  const size = t.shape.map((d, i) => (i === 0 ? rows : d));
  return tf.slice(t, begin, size);
}

/**
 * Forward in training mode, BCE on logits, gradients, Adam update. `step` seeds the dropout masks. `microBatch`
 * (rows) splits the batch; omit it, or pass ≥ n, for one piece. Models with batch norm should not be split (its
 * statistics would be per micro-batch).
 */
export function trainStep(
  model: tf.LayersModel,
  opt: TorchAdam,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  posWeight: readonly number[] | undefined,
  step: number,
  microBatch?: number,
): StepResult {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const n = x.shape[0];
  const piece = microBatch === undefined || microBatch >= n ? n : Math.max(1, Math.floor(microBatch));
  const probs = new Float32Array(n * y.shape[1]);
  let loss = 0;
  let summed: Float32Array[] | null = null;
  let single: tf.Tensor[] | null = null;
  for (let start = 0, k = 0; start < n; start += piece, k++) {
    const rows = Math.min(piece, n - start);
    stepRandomness.step = step * 64 + k;
    const xi = piece === n ? x : slice(x, 0 + start, rows);
    const yi = piece === n ? y : slice(y, start, rows);
    let probsT: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(xi, { training: true }) as tf.Tensor;
      probsT = tf.keep(tf.sigmoid(logits));
      return bceWithLogits(logits, yi, posWeight);
    }, vars);
    const ordered = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
    loss += value.dataSync()[0]! * (rows / n);
    probs.set((probsT as tf.Tensor | null)!.dataSync() as Float32Array, start * y.shape[1]);
    if (piece === n) {
      single = ordered;
    } else {
      // The loss is a mean over rows: the batch gradient is the row-weighted sum of the micro-batch gradients.
      const w = rows / n;
      const acc: Float32Array[] = summed ?? vars.map((v) => new Float32Array(v.size));
      ordered.forEach((g, i) => {
        const d = g.dataSync() as Float32Array;
        const a = acc[i]!;
        for (let j = 0; j < a.length; j++) a[j]! += w * d[j]!;
      });
      summed = acc;
      tf.dispose(ordered);
      tf.dispose([xi, yi]);
    }
    tf.dispose([value, (probsT as tf.Tensor | null)!]);
  }
  try {
    opt.apply(single ?? summed!);
  } finally {
    if (single !== null) tf.dispose(single);
  }
  return { loss, probs };
}
