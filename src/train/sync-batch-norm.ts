// Batch norm whose training statistics can span the pieces of a step computed on several threads (synchronised batch
// norm, as torch.nn.SyncBatchNorm). A batch split into pieces for data-parallel threads would otherwise normalise each
// piece by its own statistics: another model than the original's, which normalises by the whole batch's. Here each
// thread's pieces hand their per-channel count, mean and sum of squared deviations to the others (batch-stats-
// exchange.ts), and all combine them in rank order in float64 (Chan et al.'s pairwise formula), so every thread
// normalises by the same, whole-batch statistics. In the backward pass the gradients reaching the mean and the
// variance are summed over the threads the same way, since every row of the batch moved them.
//
// Without an exchange (one thread, or inference) the layer is tf.layers.batchNormalization: the same weights (gamma,
// beta, moving_mean, moving_variance, in that order), tf.moments for the statistics, the same moving averages.
import * as tf from '@tensorflow/tfjs';
import type { BatchStatsExchange } from './batch-stats-exchange.js';

interface ActiveExchange {
  exchange: BatchStatsExchange;
  /** this thread's piece's share of the step's loss (rows / batch rows): the gradients are summed with these weights */
  weight: number;
}
let active: ActiveExchange | undefined;

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
    const m = mean.dataSync();
    const v = variance.dataSync();
    const mine = new Float64Array(1 + 2 * c);
    mine[0] = local;
    for (let j = 0; j < c; j++) {
      mine[1 + j] = m[j]!;
      mine[1 + c + j] = v[j]! * local; // sum of squared deviations from the piece's mean
    }
    const all = ex.exchange.allGather(mine);
    let n = 0;
    for (const t of all) n += t[0]!;
    const out = new Float32Array(2 * c);
    for (let j = 0; j < c; j++) {
      let sum = 0;
      for (const t of all) sum += t[0]! * t[1 + j]!;
      const mu = sum / n;
      let m2 = 0;
      for (const t of all) m2 += t[1 + c + j]! + t[0]! * (t[1 + j]! - mu) ** 2;
      out[j] = mu;
      out[c + j] = m2 / n;
    }
    tf.dispose([mean, variance]);
    const value = tf.tensor2d(out, [2, c]);
    const globalMean = tf.tensor1d(out.subarray(0, c));
    save([xs, globalMean]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xSaved, mu] = saved as [tf.Tensor, tf.Tensor];
        const d = (dy as tf.Tensor).dataSync();
        const weighted = new Float64Array(2 * c);
        for (let j = 0; j < 2 * c; j++) weighted[j] = d[j]! * ex.weight;
        const sums = ex.exchange.allGather(weighted);
        // this thread's gradients are weighted by ex.weight when the step sums the pieces: hand back the total over it
        const dMean = new Float32Array(c);
        const dVar = new Float32Array(c);
        for (let j = 0; j < c; j++) {
          let a = 0;
          let b = 0;
          for (const s of sums) {
            a += s[j]!;
            b += s[c + j]!;
          }
          dMean[j] = a / ex.weight / n;
          dVar[j] = (2 * b) / ex.weight / n;
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
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } = active ? syncedMoments(x, active) : tf.moments(x, axes);
      const y = tf.batchNorm(x, mean, variance, beta, gamma, this.epsilon);
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
