// Per-slice z-score, as the original numpy code: (x - x.mean()) / x.std(), numpy's std being the population
// std (ddof = 0). Sums are taken in float64 (numpy also promotes the int16 DICOM pixels to float64), the result is
// stored as float32.
//
// A constant slice (std = 0, e.g. an all-black padding slice) would divide by zero — numpy gives NaN/inf. We
// return all zeros instead: the slice carries no information, zeros are its mean, and NaN would poison training.
// The same holds when std is not finite (NaN/inf pixels).

export function zscore(slice: Float32Array | ArrayLike<number>): Float32Array {
  const n = slice.length;
  const out = new Float32Array(n);
  if (n === 0) return out;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += slice[i]!;
  const mean = sum / n;
  // Two passes (not E[x²] − mean²) so that large offsets do not cancel catastrophically.
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = slice[i]! - mean;
    ss += d * d;
  }
  const std = Math.sqrt(ss / n);
  if (!(std > 0) || !Number.isFinite(std)) return out;
  for (let i = 0; i < n; i++) out[i] = (slice[i]! - mean) / std;
  return out;
}
