// Per-series slice filtering of the original project: k-means (k = 3) on the one-dimensional
// black-pixel ratios of a series' slices, then keep one cluster (by its centre's rank).
//
// The original used scikit-learn 1.2's KMeans(n_clusters=3, random_state=0): k-means++ seeding,
// n_init = 10 runs from one random stream, Lloyd's iterations, the lowest-inertia run kept. We
// reproduce that: the k-means++ seeding replays numpy's random stream (sklearn-kmeanspp.ts),
// ml-kmeans runs the Lloyd iterations from those centres with sklearn's distance form, and we
// stop, label and select runs with sklearn's rules. Agreement with scikit-learn is measured in
// test/preprocess/kmeans.test.ts.

import { kmeansGenerator } from 'ml-kmeans';
import { err, ok, type GlioflowError, type Result } from '../engine/result.js';
import { LegacyRandomState, numpySum } from './numpy-random.js';
import { kmeansPlusPlus1d } from './sklearn-kmeanspp.js';

/** Number of clusters of the original method: background, transitional, brain. */
export const CLUSTERS = 3;

/** scikit-learn 1.2's KMeans defaults, which the original project ran with. */
export const SKLEARN_1_2_DEFAULTS = { seed: 0, nInit: 10, maxIterations: 300, tol: 1e-4 } as const;

export interface ClusterOptions {
  /**
   * `random_state` of scikit-learn (integer in [0, 2^32)); all runs draw from this one stream,
   * as in sklearn. The original project used 0.
   */
  seed: number;
  /** Number of k-means++ initialisations; the lowest-inertia run is kept (sklearn 1.2: 10). */
  nInit: number;
}

export interface SeriesClustering {
  /** Cluster id per slice (ids index `centers`; they carry no order). */
  labels: number[];
  /** Cluster centres (mean ratio of each cluster), indexed by cluster id. */
  centers: number[];
  /** Per slice: rank of its cluster's centre among the three, 0 = lowest ratio. */
  rank: number[];
  /** Sum of squared distances of the ratios to their cluster centres. */
  inertia: number;
}

export type ClusterFailureReason =
  | 'too-few-slices'
  | 'too-few-distinct-values'
  | 'non-finite-ratio'
  | 'invalid-options';

/** Why a series could not be clustered; a GlioflowError so stages can pass it on as is. */
export interface ClusterFailure extends GlioflowError {
  kind: 'slice-clustering';
  reason: ClusterFailureReason;
  message: string;
  /** Number of slices (ratios) the series had. */
  slices: number;
  /** Number of distinct ratio values, for 'too-few-distinct-values'. */
  distinct?: number;
}

/**
 * Which slices to keep:
 * - 'middle': the original method, the cluster whose centre is the middle of the three;
 * - 'lowest': the cluster with the lowest ratio, i.e. the most brain-filled slices;
 * - 'not-highest': everything but the highest-ratio (background-dominated) cluster.
 */
export type KeepMode = 'middle' | 'lowest' | 'not-highest';

function failure(reason: ClusterFailureReason, message: string, slices: number, distinct?: number): ClusterFailure {
  return { kind: 'slice-clustering', reason, message, slices, ...(distinct !== undefined ? { distinct } : {}) };
}

/**
 * Clusters one series' slice ratios into three groups.
 *
 * Fewer than 3 slices → 'too-few-slices' (the original skipped such series).
 * Fewer than 3 distinct ratios → 'too-few-distinct-values': three clusters do not exist, and
 * what scikit-learn returns then is arbitrary (it warns "Number of distinct clusters (d) found
 * smaller than n_clusters (3)" and leaves a duplicated or empty centre, so the original's
 * "middle cluster" was sometimes one of the real groups and sometimes empty). The caller
 * decides (skip the series or keep all its slices) instead of inheriting that accident.
 * This happens in practice when a series' background has no exact ties (continuous noise):
 * every slice's ratio is then ceil(0.05·n)/n.
 */
export function clusterSeries(
  ratios: readonly number[],
  options: ClusterOptions,
): Result<SeriesClustering, ClusterFailure> {
  const n = ratios.length;
  if (!Number.isInteger(options.nInit) || options.nInit < 1) {
    return err(failure('invalid-options', `nInit must be a positive integer, got ${options.nInit}`, n));
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    return err(failure('invalid-options', `seed must be an integer in [0, 2^32), got ${options.seed}`, n));
  }
  if (n < CLUSTERS) {
    return err(failure('too-few-slices', `series has ${n} slice(s); k-means with k = 3 needs at least 3`, n));
  }
  const bad = ratios.findIndex((r) => !Number.isFinite(r));
  if (bad >= 0) {
    return err(failure('non-finite-ratio', `ratio of slice ${bad} is ${ratios[bad]}`, n));
  }
  const distinct = new Set(ratios).size;
  if (distinct < CLUSTERS) {
    return err(
      failure(
        'too-few-distinct-values',
        `series has only ${distinct} distinct black-pixel ratio(s) among ${n} slices; three clusters do not exist`,
        n,
        distinct,
      ),
    );
  }

  // sklearn subtracts the mean before clustering ("for more accurate distance computations");
  // doing the same keeps every rounding step, and so every random choice, identical.
  const mean = numpySum(ratios) / n;
  const x = Float64Array.from(ratios, (r) => r - mean);
  let variance = 0;
  for (let i = 0; i < n; i++) variance += x[i]! * x[i]!;
  const tol = (variance / n) * SKLEARN_1_2_DEFAULTS.tol;

  const random = new LegacyRandomState(options.seed);
  let best: SeriesClustering | undefined;
  for (let run = 0; run < options.nInit; run++) {
    const init = kmeansPlusPlus1d(x, CLUSTERS, random);
    const centred = lloyd(x, init, tol);
    const candidate = describe(x, centred);
    if (best === undefined || (candidate.inertia < best.inertia && !sameClustering(candidate.labels, best.labels))) {
      best = candidate;
    }
  }
  // nInit >= 1 was checked, so best is set. Centres go back to ratio units, like sklearn's.
  const kept = best!;
  return ok({ ...kept, centers: kept.centers.map((c) => c + mean) });
}

/**
 * Lloyd's iterations by ml-kmeans from the given centres, stopped by scikit-learn's rule: the
 * labels did not change (strict convergence), or the summed squared centre shift <= tol.
 * Known difference: ml-kmeans keeps an emptied cluster's previous centre where sklearn moves it
 * to the farthest point; k-means++ seeds on >= 3 distinct values made that happen in none of the
 * reference series. (ml-kmeans divides by the cluster size where sklearn multiplies by its
 * reciprocal: a last-bit difference that only matters for a point exactly between two centres.)
 */
function lloyd(x: Float64Array, init: number[], tol: number): number[] {
  const data = Array.from(x, (v) => [v]);
  const steps = kmeansGenerator(data, CLUSTERS, {
    initialization: init.map((c) => [c]),
    maxIterations: SKLEARN_1_2_DEFAULTS.maxIterations,
    // sklearn's assignment distance, ||c||² - 2·x·c: same argmin as (x - c)², same rounding.
    distanceFunction: (p: number[], q: number[]) => q[0]! * q[0]! - 2 * (p[0]! * q[0]!),
    // We decide convergence below; ml-kmeans's own test must never fire first.
    tolerance: Number.NEGATIVE_INFINITY,
  });
  let centres = init;
  let previousLabels: number[] | undefined;
  for (const step of steps) {
    const next = step.centroids.map((c) => c[0]!);
    const labels = [...step.clusters];
    let shift = 0;
    for (let c = 0; c < CLUSTERS; c++) shift += (next[c]! - centres[c]!) ** 2;
    centres = next;
    if (previousLabels !== undefined && labels.every((l, i) => l === previousLabels![i])) break;
    if (shift <= tol) break;
    previousLabels = labels;
  }
  return centres;
}

/** sklearn's `_is_same_clustering`: equal up to a renaming of the clusters. */
function sameClustering(a: readonly number[], b: readonly number[]): boolean {
  const map = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const m = map.get(a[i]!);
    if (m === undefined) map.set(a[i]!, b[i]!);
    else if (m !== b[i]) return false;
  }
  return true;
}

/**
 * Assigns each (centred) ratio to its nearest centre with sklearn's distance form and tie rule
 * (first centre wins), ranks the centres, and sums the squared distances (sklearn's inertia).
 */
function describe(ratios: ArrayLike<number>, centers: number[]): SeriesClustering {
  const order = centers.map((_, i) => i).sort((a, b) => centers[a]! - centers[b]! || a - b);
  const rankOf = new Array<number>(centers.length);
  order.forEach((cluster, r) => (rankOf[cluster] = r));
  const labels = new Array<number>(ratios.length);
  const rank = new Array<number>(ratios.length);
  let inertia = 0;
  for (let i = 0; i < ratios.length; i++) {
    const x = ratios[i]!;
    let bestCluster = 0;
    let bestDist = Number.POSITIVE_INFINITY;
    for (let c = 0; c < centers.length; c++) {
      const cc = centers[c]!;
      const d = cc * cc - 2 * (x * cc);
      if (d < bestDist) {
        bestDist = d;
        bestCluster = c;
      }
    }
    labels[i] = bestCluster;
    rank[i] = rankOf[bestCluster]!;
    inertia += (x - centers[bestCluster]!) ** 2;
  }
  return { labels, centers, rank, inertia };
}

/** Which slices of a clustered series to keep (see KeepMode). */
export function keepMask(result: SeriesClustering, mode: KeepMode): boolean[] {
  switch (mode) {
    case 'middle':
      return result.rank.map((r) => r === 1);
    case 'lowest':
      return result.rank.map((r) => r === 0);
    case 'not-highest':
      return result.rank.map((r) => r !== CLUSTERS - 1);
  }
}
