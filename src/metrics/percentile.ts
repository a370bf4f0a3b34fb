/**
 * The q-quantile (0 ≤ q ≤ 1) of ascending-sorted values with linear interpolation between order statistics —
 * numpy's default (`np.percentile(..., method='linear')`), the usual choice for percentile bootstrap intervals.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) throw new RangeError('quantile of no values');
  const h = (m - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, m - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}
