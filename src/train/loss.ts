// Binary cross-entropy on logits with PyTorch's pos_weight, written in the numerically stable form
// (BCEWithLogitsLoss): loss = (1 − y)·z + (1 + (w − 1)·y)·(log1p(exp(−|z|)) + max(−z, 0)).
import * as tf from '@tensorflow/tfjs';

/** Mean over rows and labels, like torch.nn.BCEWithLogitsLoss(pos_weight=w). `posWeight` has one entry per label. */
export function bceWithLogits(logits: tf.Tensor, labels: tf.Tensor, posWeight?: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const z = logits;
    const y = labels;
    const softplusNeg = tf.log1p(tf.exp(tf.abs(z).neg())).add(tf.relu(z.neg())); // = log(1 + e^{−z}), stable
    const weight = posWeight === undefined ? tf.onesLike(y) : tf.scalar(1).add(tf.tensor1d([...posWeight]).sub(1).mul(y));
    return tf.scalar(1).sub(y).mul(z).add(weight.mul(softplusNeg)).mean() as tf.Scalar;
  });
}

/** pos_weight = negatives / positives per label, from the training labels (n×L, row-major). Labels with no positive
 *  (or no negative) get weight 1 rather than ∞ (or 0, which would silence the label). */
export function positiveWeights(labels: Float32Array, labelCount: number): number[] {
  const pos = new Array<number>(labelCount).fill(0);
  const rows = labels.length / labelCount;
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0.5) pos[i % labelCount]! += 1;
  return pos.map((p) => (p === 0 || p === rows ? 1 : (rows - p) / p));
}
