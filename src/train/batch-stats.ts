// Whole-batch statistics of batch norm from the pieces of a step (sync-batch-norm.ts): what each thread hands in,
// and how every thread combines the same numbers, in rank order and in float64, into the same result. Without an
// exchange (one thread) the piece is the batch.
import type { BatchStatsExchange } from './batch-stats-exchange.js';

/**
 * What an exchange carries, as its tag: the forward statistics, and the backward sums of the composed path (the
 * gradients reaching the mean and the variance) or of the kernels (Σdy, Σdy·x̂). Threads must agree on it.
 */
export const EXCHANGE_TAG = { stats: 1, composedGradient: 2, kernelGradient: 3 } as const;

export interface ActiveExchange {
  exchange: BatchStatsExchange;
  /** this thread's piece's share of the step's loss (rows / batch rows): the gradients are summed with these weights */
  weight: number;
}

/**
 * Per-channel count, mean and (biased) variance of the whole batch, from this piece's count, mean and sum of squared
 * deviations M2 and every other thread's (Chan et al.'s pairwise formula).
 */
export function wholeBatchStats(ex: ActiveExchange | undefined, count: number, mean: ArrayLike<number>, m2: ArrayLike<number>): { n: number; mean: Float64Array; variance: Float64Array } {
  const c = mean.length;
  const mine = new Float64Array(1 + 2 * c);
  mine[0] = count;
  for (let j = 0; j < c; j++) {
    mine[1 + j] = mean[j]!;
    mine[1 + c + j] = m2[j]!;
  }
  const all = ex ? ex.exchange.allGather(mine, EXCHANGE_TAG.stats * 65536 + c) : [mine];
  let n = 0;
  for (const t of all) n += t[0]!;
  const mu = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    let sum = 0;
    for (const t of all) sum += t[0]! * t[1 + j]!;
    mu[j] = sum / n;
    let dev = 0;
    for (const t of all) dev += t[1 + c + j]! + t[0]! * (t[1 + j]! - mu[j]!) ** 2;
    variance[j] = dev / n;
  }
  return { n, mean: mu, variance };
}

/**
 * Sums of this piece's per-channel gradient terms over every thread's piece, each weighted by its share of the loss,
 * then divided by this piece's share: the step multiplies this thread's gradients by that share when it sums them.
 */
export function wholeBatchSums(ex: ActiveExchange | undefined, values: ArrayLike<number>, kind: 'composedGradient' | 'kernelGradient'): Float64Array {
  if (!ex) return Float64Array.from(values);
  const weighted = Float64Array.from(values, (v) => v * ex.weight);
  const all = ex.exchange.allGather(weighted, EXCHANGE_TAG[kind] * 65536 + values.length);
  const out = new Float64Array(values.length);
  for (let j = 0; j < out.length; j++) {
    let s = 0;
    for (const t of all) s += t[j]!;
    out[j] = s / ex.weight;
  }
  return out;
}
