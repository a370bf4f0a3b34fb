// scikit-learn 1.2's k-means++ seeding (`sklearn.cluster._kmeans._kmeans_plusplus`) for
// one-dimensional data, replayed with numpy's random stream, operation for operation, so the
// initial centres (and hence the local optimum Lloyd's iterations end in) are the ones
// `KMeans(n_clusters=3, random_state=seed)` would start from. ml-kmeans then runs Lloyd's
// iterations from these centres. Using ml-kmeans's own seeded k-means++ instead (a different
// random stream) kept the same slices as scikit-learn on only 93.9% of the reference series,
// because 1-D ratio curves of MRI stacks have several near-equal local optima.

import { numpySum, type LegacyRandomState } from './numpy-random.js';

/** Squared distances of every x to the centre c, as sklearn's `_euclidean_distances` rounds them. */
function squaredDistances(c: number, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  const cc = c * c;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    // -2 * (c·x) + ||c||² + ||x||², clipped at 0 (the BLAS-friendly form sklearn uses).
    const d = -2 * (c * xi) + cc + xi * xi;
    out[i] = d > 0 ? d : 0;
  }
  return out;
}

/** First index i with cumsum[i] >= v (np.searchsorted, side='left'), clipped to n - 1. */
function searchSorted(cumsum: Float64Array, v: number): number {
  let lo = 0;
  let hi = cumsum.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumsum[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, cumsum.length - 1);
}

/**
 * k centres chosen from x (already centred on its mean, as sklearn does before seeding),
 * consuming `random` exactly as sklearn does: one randint, then n_local_trials uniforms per
 * further centre.
 */
export function kmeansPlusPlus1d(x: Float64Array, k: number, random: LegacyRandomState): number[] {
  const n = x.length;
  const localTrials = 2 + Math.floor(Math.log(k));
  const first = x[random.randint(n)]!;
  const centres = [first];
  let closest = squaredDistances(first, x);
  let currentPot = numpySum(closest);
  for (let c = 1; c < k; c++) {
    const randVals = random.uniform(localTrials).map((u) => u * currentPot);
    const cumsum = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) cumsum[i] = acc += closest[i]!;
    const candidateIds = randVals.map((v) => searchSorted(cumsum, v));
    let bestPot = Number.POSITIVE_INFINITY;
    let bestDist = closest;
    let bestId = candidateIds[0]!;
    for (const id of candidateIds) {
      const d = squaredDistances(x[id]!, x);
      for (let i = 0; i < n; i++) if (closest[i]! < d[i]!) d[i] = closest[i]!;
      const pot = numpySum(d);
      // np.argmin: the first candidate with the smallest potential wins.
      if (pot < bestPot) {
        bestPot = pot;
        bestDist = d;
        bestId = id;
      }
    }
    currentPot = bestPot;
    closest = bestDist;
    centres.push(x[bestId]!);
  }
  return centres;
}
