// Bilinear resize equal to PyTorch's F.interpolate(x, size=(size, size), mode='bilinear', align_corners=False,
// antialias=False) on a float32 CPU tensor — what the original project used. Checked against values produced by
// torch (test/fixtures/tensors/resize-reference.json, made by make_resize_reference.py beside it).
//
// Same sampling rule as PyTorch: scale = in / out; src = scale · (dst + 0.5) − 0.5, clamped at 0;
// i0 = floor(src), i1 = min(i0 + 1, in − 1), λ = src − i0; value = h0·(w0·x00 + w1·x01) + h1·(w0·x10 + w1·x11).
// We compute in float64 and round once to float32. PyTorch's float32 kernel rounds along the way (its own result
// differs from its float64 result by up to ~1e-6 of the value range), so we agree with it to a few 1e-6 of the
// range, not bit for bit; emulating each float32 rounding with Math.fround did not get closer (its vectorised
// kernel's exact order of operations is not reproduced).

interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  l0: Float64Array;
  l1: Float64Array;
}

function axis(inSize: number, outSize: number): Axis {
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l0 = new Float64Array(outSize);
  const l1 = new Float64Array(outSize);
  for (let d = 0; d < outSize; d++) {
    let src = scale * (d + 0.5) - 0.5;
    if (src < 0) src = 0;
    const a = Math.floor(src);
    i0[d] = a;
    i1[d] = a < inSize - 1 ? a + 1 : a;
    const lambda = src - a;
    l1[d] = lambda;
    l0[d] = 1 - lambda;
  }
  return { i0, i1, l0, l1 };
}

/** Resizes a row-major h×w image to size×size. */
export function resizeBilinear(src: Float32Array, h: number, w: number, size: number): Float32Array {
  if (src.length !== h * w) throw new RangeError(`resizeBilinear: ${src.length} pixels is not ${h}×${w}`);
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`resizeBilinear: size must be a positive integer, got ${size}`);
  const ay = axis(h, size);
  const ax = axis(w, size);
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const r0 = ay.i0[y]! * w;
    const r1 = ay.i1[y]! * w;
    const h0 = ay.l0[y]!;
    const h1 = ay.l1[y]!;
    for (let x = 0; x < size; x++) {
      const c0 = ax.i0[x]!;
      const c1 = ax.i1[x]!;
      const w0 = ax.l0[x]!;
      const w1 = ax.l1[x]!;
      const top = w0 * src[r0 + c0]! + w1 * src[r0 + c1]!;
      const bottom = w0 * src[r1 + c0]! + w1 * src[r1 + c1]!;
      out[y * size + x] = h0 * top + h1 * bottom;
    }
  }
  return out;
}
