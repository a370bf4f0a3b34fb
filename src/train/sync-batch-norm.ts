// Batch norm whose training statistics can span the pieces of a step computed on several threads (synchronised batch
// norm, as torch.nn.SyncBatchNorm). A batch split into pieces for data-parallel threads would otherwise normalise each
// piece by its own statistics: another model than the original's, which normalises by the whole batch's. Here each
// thread's pieces hand their per-channel count, mean and sum of squared deviations to the others (batch-stats-
// exchange.ts), and all combine them in rank order in float64 (Chan et al.'s pairwise formula), so every thread
// normalises by the same, whole-batch statistics. In the backward pass the gradients reaching the mean and the
// variance are summed over the threads the same way, since every row of the batch moved them.
//
// Without an exchange (one thread, or inference) the layer computes what tf.layers.batchNormalization does: the same
// weights (gamma, beta, moving_mean, moving_variance, in that order), the same statistics and moving averages. On
// wasm, training-mode passes run on our kernels (batch-norm-kernels.ts); elsewhere on tf.moments and tf.batchNorm.
import * as tf from '@tensorflow/tfjs';
import type { BatchStatsExchange } from './batch-stats-exchange.js';
import { batchNormKernelsApply, batchNormTraining } from './batch-norm-kernels.js';
import { wholeBatchStats, wholeBatchSums, type ActiveExchange } from './batch-stats.js';

let active: ActiveExchange | undefined;
/** Whether training-mode batch norm runs on our wasm kernels where they apply (batch-norm-kernels.ts); tests turn it off. */
let useKernels = true;
export function useBatchNormKernels(on: boolean): void {
  useKernels = on;
}

/** Runs `f` (one piece's forward and backward) with its batch statistics shared through `exchange`. */
export function withSyncedBatchStats<T>(exchange: BatchStatsExchange, weight: number, f: () => T): T {
  active = { exchange, weight };
  try {
    return f();
  } finally {
    active = undefined;
  }
}

/** Whole-batch mean and (biased) variance of x over all axes but the last, from every thread's piece. */
function syncedMoments(x: tf.Tensor, ex: ActiveExchange): { mean: tf.Tensor; variance: tf.Tensor } {
  const c = x.shape[x.shape.length - 1]!;
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const moments = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const local = xs.size / c;
    const { mean, variance } = tf.moments(xs, axes);
    const v = variance.dataSync();
    const whole = wholeBatchStats(ex, local, mean.dataSync(), Float64Array.from(v, (q) => q * local));
    const n = whole.n;
    tf.dispose([mean, variance]);
    const out = new Float32Array(2 * c);
    out.set(whole.mean, 0);
    out.set(whole.variance, c);
    const value = tf.tensor2d(out, [2, c]);
    const globalMean = tf.tensor1d(out.subarray(0, c));
    save([xs, globalMean]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xSaved, mu] = saved as [tf.Tensor, tf.Tensor];
        const total = wholeBatchSums(ex, (dy as tf.Tensor).dataSync(), 'composedGradient');
        const dMean = new Float32Array(c);
        const dVar = new Float32Array(c);
        for (let j = 0; j < c; j++) {
          dMean[j] = total[j]! / n;
          dVar[j] = (2 * total[c + j]!) / n;
        }
        return tf.add(tf.tensor1d(dMean), tf.mul(tf.sub(xSaved, mu), tf.tensor1d(dVar)));
      },
    };
  }) as Parameters<typeof tf.customGrad<tf.Tensor>>[0]);
  const both = moments(x);
  const [mean, variance] = tf.unstack(both) as [tf.Tensor, tf.Tensor];
  return { mean, variance };
}

export interface SyncBatchNormArgs {
  name: string;
  /** Keras convention: moving = moving · momentum + batch · (1 − momentum) */
  momentum: number;
  epsilon: number;
}

export class SyncBatchNormalization extends tf.layers.Layer {
  static className = 'GlioflowSyncBatchNormalization';
  private readonly momentum: number;
  private readonly epsilon: number;
  private gamma: tf.LayerVariable | undefined;
  private beta: tf.LayerVariable | undefined;
  private movingMean: tf.LayerVariable | undefined;
  private movingVariance: tf.LayerVariable | undefined;

  constructor(args: SyncBatchNormArgs) {
    super({ name: args.name });
    this.momentum = args.momentum;
    this.epsilon = args.epsilon;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[shape.length - 1];
    if (typeof c !== 'number') throw new Error(`${this.name}: the channel axis needs a known size`);
    this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [c], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [c], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const gamma = this.gamma!.read();
      const beta = this.beta!.read();
      if (kwargs['training'] !== true) return tf.batchNorm(x, this.movingMean!.read(), this.movingVariance!.read(), beta, gamma, this.epsilon);
      let y: tf.Tensor;
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (batchNormKernelsApply(x) && useKernels) {
        const r = batchNormTraining(x, gamma, beta, this.epsilon, active);
        [y, mean, variance] = [r.y, tf.tensor1d(r.mean), tf.tensor1d(r.variance)];
      } else {
        const axes = x.shape.slice(0, -1).map((_, i) => i);
        ({ mean, variance } = active ? syncedMoments(x, active) : tf.moments(x, axes));
        y = tf.batchNorm(x, mean, variance, beta, gamma, this.epsilon);
      }
      // as tfjs's BatchNormalization: moving −= (moving − batch) · (1 − momentum)
      for (const [moving, batch] of [[this.movingMean!, mean], [this.movingVariance!, variance]] as const) {
        tf.tidy(() => {
          const old = moving.read();
          moving.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - this.momentum)));
        });
      }
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(SyncBatchNormalization);

/** Whether a model normalises by batch statistics (its pieces must then run together, each on its own thread). */
export function usesBatchStatistics(model: tf.LayersModel): boolean {
  return model.layers.some((l) => l instanceof SyncBatchNormalization);
}
