// tfjs 4.22's gradient of FusedBatchNorm (tfjs-core/src/gradients/FusedBatchNorm_grad.ts) tiles 1/sqrt(var + eps) to
// the whole input's shape before multiplying it into dy, and wasm's Tile is slow: 1.85 s of an 8.9 s SENet step at
// 64×64, batch 32 (tf.profile, 53 batch-norm layers). The same gradient with the factor broadcast instead of tiled
// multiplies the same float32 values in the same order, so the gradients are bit-identical (test/train/
// batch-norm-gradient.test.ts) and only the copy is gone. The registry of gradients is global to tfjs: this replaces
// tfjs's entry for every backend, which is harmless as the values are the same.
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';

function gradFunc(dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): Record<string, () => Tensor> {
  const g = dy as Tensor;
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
  const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
  const scaleValue = scale ?? tf.scalar(1);
  const reductionAxes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
  const xMinusMean = tf.sub(x, mean);
  const dyTimesScaleValue = tf.mul(g, scaleValue);
  const oneOverSqrtVariance = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
  const minusHalfRCube = tf.mul(tf.mul(tf.mul(oneOverSqrtVariance, oneOverSqrtVariance), oneOverSqrtVariance), tf.scalar(-0.5));
  const perChannel = mean.rank === 1;
  const reduce = (t: Tensor): Tensor => (perChannel ? tf.sum(t, reductionAxes) : t);
  return {
    // the one change: [C] broadcast against dy (whose last axis is C), where tfjs tiles it to dy's shape first
    x: () => tf.reshape(tf.mul(tf.mul(g, perChannel ? tf.reshape(oneOverSqrtVariance, [...new Array<number>(x.rank - 1).fill(1), mean.shape[0] as number]) : oneOverSqrtVariance), scaleValue), x.shape),
    mean: () => tf.reshape(reduce(tf.mul(tf.mul(oneOverSqrtVariance, tf.scalar(-1)), dyTimesScaleValue)), mean.shape),
    variance: () => tf.reshape(reduce(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScaleValue)), mean.shape),
    scale: () => tf.reshape(reduce(tf.mul(g, tf.mul(xMinusMean, oneOverSqrtVariance))), mean.shape),
    offset: () => tf.reshape(reduce(g), mean.shape),
  };
}

export const batchNormGradient: GradConfig = { kernelName: 'FusedBatchNorm', inputsToSave: ['x', 'mean', 'variance', 'scale'], gradFunc };

/** Replaces tfjs's FusedBatchNorm gradient by the broadcasting one. Idempotent. */
export function registerBatchNormGradient(): void {
  tf.registerGradient(batchNormGradient);
}
