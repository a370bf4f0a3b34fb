// The wasm SIMD Adam kernel (src/train/adam-kernel.wat) against torch.optim.Adam(W)'s update written out in float64,
// over several steps, on lengths that are not multiples of its 4 lanes and that cross its copy chunks, and for what a
// padded, chunked kernel can get wrong: lanes past a parameter's end spilling into the next one's moments.
import { describe, expect, it } from 'vitest';
import { AdamKernel, type AdamScalars } from '../../src/train/adam-kernel.js';

function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

function scalars(kind: 'adam' | 'adamw', step: number, lr = 1e-3, wd = 1e-2): AdamScalars {
  return { b1: 0.9, b2: 0.999, eps: 1e-8, l2: kind === 'adam' ? wd : 0, shrink: kind === 'adamw' ? 1 - lr * wd : 1, step: lr / (1 - 0.9 ** step), rootC2: Math.sqrt(1 - 0.999 ** step) };
}

/** torch's update in float64, state kept in float64 too. */
function reference(p: Float64Array, g: Float32Array, m: Float64Array, v: Float64Array, s: AdamScalars): void {
  for (let k = 0; k < p.length; k++) {
    const gk = g[k]! + s.l2 * p[k]!;
    m[k] = s.b1 * m[k]! + (1 - s.b1) * gk;
    v[k] = s.b2 * v[k]! + (1 - s.b2) * gk * gk;
    p[k] = s.shrink * p[k]! - s.step * (m[k]! / (Math.sqrt(v[k]!) / s.rootC2 + s.eps));
  }
}

describe('AdamKernel', () => {
  for (const kind of ['adam', 'adamw'] as const) {
    it(`${kind}: five steps equal torch's formula in float64, for sizes 1, 7, 65,536 + 5 and 2·65,536 + 3`, () => {
      const sizes = [1, 7, 65536 + 5, 2 * 65536 + 3];
      const kernel = new AdamKernel(sizes);
      const weights = sizes.map((n, i) => values(n, 10 + i));
      const ref = weights.map((w) => ({ p: Float64Array.from(w), m: new Float64Array(w.length), v: new Float64Array(w.length) }));
      for (let step = 1; step <= 5; step++) {
        const s = scalars(kind, step);
        sizes.forEach((n, i) => {
          const g = values(n, 100 * step + i, 0.1);
          const out = new Float32Array(n);
          kernel.update(i, weights[i]!, g, out, s);
          weights[i] = out;
          reference(ref[i]!.p, g, ref[i]!.m, ref[i]!.v, s);
        });
      }
      sizes.forEach((n, i) => {
        let worst = 0;
        for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(weights[i]![k]! - ref[i]!.p[k]!));
        expect(worst, `parameter ${i}: largest difference from float64`).toBeLessThan(2e-6); // weights ~1, steps ~1e-3
        const { m, v } = kernel.moments(i);
        for (const k of [0, n >> 1, n - 1]) {
          expect(m[k]!).toBeCloseTo(ref[i]!.m[k]!, 6);
          expect(v[k]! / ref[i]!.v[k]!).toBeCloseTo(1, 4);
        }
      });
    });
  }

  it("updating one parameter leaves the others' moments as they were (the padded lanes stay in its own space)", () => {
    const sizes = [5, 6, 3];
    const kernel = new AdamKernel(sizes);
    kernel.update(1, values(6, 1), values(6, 2), new Float32Array(6), scalars('adam', 1));
    const before = [0, 2].map((i) => ({ m: kernel.moments(i).m.slice(), v: kernel.moments(i).v.slice() }));
    expect(before.every((b) => b.m.every((x) => x === 0) && b.v.every((x) => x === 0))).toBe(true);
    kernel.update(0, values(5, 3), values(5, 4), new Float32Array(5), scalars('adam', 1));
    kernel.update(2, values(3, 5), values(3, 6), new Float32Array(3), scalars('adam', 1));
    const { m, v } = kernel.moments(1);
    const again = new AdamKernel([6]);
    again.update(0, values(6, 1), values(6, 2), new Float32Array(6), scalars('adam', 1));
    expect([...m]).toEqual([...again.moments(0).m]);
    expect([...v]).toEqual([...again.moments(0).v]);
  });

  it('a sum of weighted pieces, started afresh each step, updates as their sum would', () => {
    const n = 65536 + 7; // crosses a chunk, ends mid-lane
    const kernel = new AdamKernel([3, n]);
    const direct = new AdamKernel([3, n]);
    let p = values(n, 30);
    let q = p.slice();
    for (let step = 1; step <= 3; step++) {
      const pieces = [values(n, 40 + step, 0.1), values(n, 50 + step, 0.1), values(n, 60 + step, 0.1)];
      const weights = [0.5, 0.25, 0.25];
      pieces.forEach((d, k) => kernel.accumulate(1, d, weights[k]!, k === 0)); // k === 0 drops the last step's sum
      const sum = new Float32Array(n).map((_, j) => pieces.reduce((a, d, k) => a + weights[k]! * d[j]!, 0));
      const out = new Float32Array(n);
      kernel.updateFromSum(1, p, out, scalars('adam', step));
      const outDirect = new Float32Array(n);
      direct.update(1, q, sum, outDirect, scalars('adam', step));
      let worst = 0;
      for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(out[j]! - outDirect[j]!));
      expect(worst, `step ${step}`).toBeLessThan(1e-6);
      p = out;
      q = outDirect;
    }
    expect(() => kernel.accumulate(1, new Float32Array(5), 1, true)).toThrow(/a gradient piece 5/);
  });

  it('writes the new weights in place when out is p, and refuses arrays of the wrong length', () => {
    const kernel = new AdamKernel([9]);
    const p = values(9, 7);
    const copy = p.slice();
    const separate = new Float32Array(9);
    new AdamKernel([9]).update(0, copy, values(9, 8), separate, scalars('adamw', 1));
    kernel.update(0, p, values(9, 8), p, scalars('adamw', 1));
    expect([...p]).toEqual([...separate]);
    expect(() => kernel.update(0, new Float32Array(8), new Float32Array(9), new Float32Array(9), scalars('adam', 2))).toThrow(/parameter 0 has 9 weights/);
  });
});
