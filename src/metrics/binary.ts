// Binary classification metrics for one label, computed from rows sorted once by score.
//
// Why weights: the bootstrap draws patients with replacement, so a resample is the original rows, each
// repeated k times (k = how often its patient was drawn). Every metric here is a function of weighted
// counts, and sklearn's metrics on a sample with duplicated rows equal the same metrics with integer
// `sample_weight`. So one sort per label serves the point estimate and all resamples: each resample is an
// O(n) pass with a new weight vector instead of materialising and re-sorting the duplicated rows.
import type { MaybeNumber, MetricName, RocPoint } from './types.js';

/** Rows of one label, sorted by descending score, with the boundaries of tied-score groups. */
export interface PreparedLabel {
  readonly n: number;
  /** row indices (into the caller's arrays), sorted by descending score */
  readonly order: Int32Array;
  /** scores in `order` */
  readonly sorted: Float64Array;
  /** truth in `order` (0/1) */
  readonly truth: Uint8Array;
  /** `groupEnd[g]` is one past the last position of tie group g (positions in `order`) */
  readonly groupEnd: Int32Array;
  /** position in `order` where scores drop below the decision threshold: positions < this predict positive */
  readonly predictedPositiveEnd: number;
}

/**
 * Prediction is positive when `score >= threshold`: the same rule as the ROC curve's thresholds, so the
 * confusion matrix at 0.5 is a point of the ROC curve.
 */
export function prepareLabel(scores: ArrayLike<number>, truth: ArrayLike<number>, threshold: number): PreparedLabel {
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Stable order for ties is irrelevant to every metric (ties are grouped), but keep it deterministic.
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const sorted = new Float64Array(n);
  const t = new Uint8Array(n);
  const ends: number[] = [];
  let ppEnd = 0;
  for (let p = 0; p < n; p++) {
    const i = order[p] as number;
    sorted[p] = scores[i] as number;
    t[p] = (truth[i] as number) === 1 ? 1 : 0;
    if (p > 0 && sorted[p] !== sorted[p - 1]) ends.push(p);
    if (sorted[p] as number >= threshold) ppEnd = p + 1;
  }
  if (n > 0) ends.push(n);
  return { n, order, sorted, truth: t, groupEnd: Int32Array.from(ends), predictedPositiveEnd: ppEnd };
}

const undef = (reason: string): MaybeNumber => ({ defined: false, value: null, reason });
const val = (value: number): MaybeNumber => ({ defined: true, value });

/**
 * Weighted counts: `w` is indexed by original row (not by sorted position); all-ones when absent.
 * Where sklearn warns and returns a number, we return `defined: false` with the reason instead:
 * balanced accuracy with one class (sklearn: the recall of the class present), sensitivity without
 * positives / specificity without negatives (sklearn: 0), F1 with no positives and no positive predictions
 * (sklearn: 0). Everywhere else the values equal sklearn's (test/fixtures/metrics/make_reference.py).
 */
export function metricsOf(p: PreparedLabel, w?: ArrayLike<number>): Record<MetricName, MaybeNumber> {
  const { order, truth, groupEnd } = p;
  let P = 0;
  let N = 0;
  let tp = 0; // at the decision threshold
  let fp = 0;
  // Rank metrics by walking tie groups from the highest score down.
  let area = 0; // Σ over groups of fp_g · (tp_before + tp_g / 2): trapezoids of the unnormalised ROC curve
  let apSum = 0; // Σ over groups of tp_g · precision_at_group; divided by P at the end
  let start = 0;
  for (let g = 0; g < groupEnd.length; g++) {
    const end = groupEnd[g] as number;
    let tg = 0;
    let fg = 0;
    for (let q = start; q < end; q++) {
      const weight = w === undefined ? 1 : (w[order[q] as number] as number);
      if (weight === 0) continue;
      if (truth[q] === 1) tg += weight;
      else fg += weight;
    }
    area += fg * (P + tg / 2);
    P += tg;
    N += fg;
    if (tg > 0) apSum += tg * (P / (P + N));
    if (end <= p.predictedPositiveEnd) {
      tp = P;
      fp = N;
    }
    start = end;
  }
  const total = P + N;
  const fn = P - tp;
  const tn = N - fp;
  const counts = `n=${total}, positives=${P}`;
  const oneClass = P === 0 || N === 0 ? `only one class present (n=${total}, all ${P === 0 ? 'negative' : 'positive'})` : null;
  const sens = P > 0 ? val(tp / P) : undef(`no positive cases (${counts})`);
  const spec = N > 0 ? val(tn / N) : undef(`no negative cases (${counts})`);
  const f1Den = 2 * tp + fp + fn;
  return {
    accuracy: total > 0 ? val((tp + tn) / total) : undef('no rows'),
    auroc: total === 0 ? undef('no rows') : oneClass ? undef(oneClass) : val(area / (P * N)),
    auprc: total === 0 ? undef('no rows') : oneClass ? undef(oneClass) : val(apSum / P),
    balancedAccuracy:
      total === 0 ? undef('no rows') : oneClass ? undef(oneClass) : val((tp / P + tn / N) / 2),
    sensitivity: sens,
    specificity: spec,
    f1: f1Den > 0 ? val((2 * tp) / f1Den) : undef(`no positive cases and no positive predictions (${counts})`),
  };
}

/**
 * ROC curve as sklearn's `roc_curve(y, s, drop_intermediate=True)`: one point per distinct score (highest
 * first) after a (0, 0) start, with points that lie on a straight segment between their neighbours dropped.
 * Null when only one class is present (the curve is undefined).
 */
export function rocCurve(p: PreparedLabel): RocPoint[] | null {
  const fps: number[] = [0];
  const tps: number[] = [0];
  const thr: (number | null)[] = [null];
  let tp = 0;
  let fp = 0;
  let start = 0;
  for (let g = 0; g < p.groupEnd.length; g++) {
    const end = p.groupEnd[g] as number;
    for (let q = start; q < end; q++) {
      if (p.truth[q] === 1) tp++;
      else fp++;
    }
    fps.push(fp);
    tps.push(tp);
    thr.push(p.sorted[start] as number);
    start = end;
  }
  if (tp === 0 || fp === 0) return null;
  // sklearn drops, among the distinct-score points only (before it prepends the origin), every point where
  // the curve does not bend (second difference of both fps and tps is 0); the first and last are always kept.
  const keep: number[] = [0];
  const last = fps.length - 1;
  for (let i = 1; i <= last; i++) {
    if (i === 1 || i === last || last <= 2) {
      keep.push(i);
      continue;
    }
    const d2f = (fps[i + 1] as number) - 2 * (fps[i] as number) + (fps[i - 1] as number);
    const d2t = (tps[i + 1] as number) - 2 * (tps[i] as number) + (tps[i - 1] as number);
    if (d2f !== 0 || d2t !== 0) keep.push(i);
  }
  return keep.map((i) => ({ fpr: (fps[i] as number) / fp, tpr: (tps[i] as number) / tp, threshold: thr[i] as number | null }));
}

/** Convenience for callers with plain arrays: every metric at `threshold`. */
export function binaryMetrics(
  scores: readonly number[],
  truth: readonly number[],
  threshold = 0.5,
): Record<MetricName, MaybeNumber> {
  return metricsOf(prepareLabel(scores, truth, threshold));
}
