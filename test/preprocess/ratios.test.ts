import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blackPixelRatio, blackPixelRatioOfStored } from '../../src/preprocess/ratios.js';

// Reference: numpy 1.24 np.percentile(x.astype(float64), 5) and np.mean(x <= thr), written by
// test/fixtures/preprocess/make_ratio_fixtures.py (run with /usr/bin/python3).
interface RatioCase {
  name: string;
  dtype: 'int16' | 'uint16' | 'float32' | 'float64';
  rows: number;
  cols: number;
  data: string;
  threshold: string;
  ratio: string;
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/preprocess/ratio-cases.json', import.meta.url), 'utf8'),
) as { cases: RatioCase[] };

function pixels(c: RatioCase): Int16Array | Uint16Array | Float32Array | Float64Array {
  const bytes = Buffer.from(c.data, 'base64');
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (c.dtype) {
    case 'int16':
      return new Int16Array(buf);
    case 'uint16':
      return new Uint16Array(buf);
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
  }
}

describe('blackPixelRatio against numpy', () => {
  it('fixture covers the required shapes', () => {
    const names = fixture.cases.map((c) => c.name);
    expect(names).toContain('1x1');
    expect(names.some((n) => n.startsWith('constant'))).toBe(true);
    expect(names.some((n) => n.includes('160x160'))).toBe(true);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of fixture.cases) {
    it(`${c.name} (${c.dtype} ${c.rows}x${c.cols}) is bit-identical`, () => {
      const px = pixels(c);
      expect(px.length).toBe(c.rows * c.cols);
      const r = blackPixelRatio(px);
      // Object.is: exact float64 equality, and it tells -0 from 0.
      expect(Object.is(r.threshold, Number(c.threshold)), `threshold ${r.threshold} vs ${c.threshold}`).toBe(true);
      expect(Object.is(r.ratio, Number(c.ratio)), `ratio ${r.ratio} vs ${c.ratio}`).toBe(true);
    });
  }

  it('accepts plain arrays and does not modify its input', () => {
    const c = fixture.cases.find((x) => x.name === 'uniform-int16-64x64');
    expect(c).toBeDefined();
    const typed = pixels(c!);
    const before = Array.from(typed);
    const fromTyped = blackPixelRatio(typed);
    expect(Array.from(typed)).toEqual(before);
    const fromArray = blackPixelRatio(before);
    expect(fromArray).toEqual(fromTyped);
  });

  it('empty input and NaN pixels follow numpy (NaN threshold, nothing <= NaN)', () => {
    const empty = blackPixelRatio([]);
    expect(Number.isNaN(empty.threshold) && Number.isNaN(empty.ratio)).toBe(true);
    const withNaN = blackPixelRatio([1, 2, Number.NaN, 4]);
    expect(Number.isNaN(withNaN.threshold)).toBe(true);
    expect(withNaN.ratio).toBe(0);
  });

  it('a larger slice after a smaller one does not see stale scratch values', () => {
    const small = blackPixelRatio(new Float32Array([-1e9, -1e9, -1e9]));
    expect(small.threshold).toBe(-1e9);
    const big = new Uint16Array(4096).fill(10);
    expect(blackPixelRatio(big)).toEqual({ threshold: 10, ratio: 1 });
  });
});

describe('blackPixelRatio against a sort-based reference (selection correctness)', () => {
  // numpy's linear percentile written the slow, obvious way: full sort, same lerp formula.
  function reference(values: ArrayLike<number>): { threshold: number; ratio: number } {
    const s = Float64Array.from(values).sort();
    const vi = (s.length - 1) * 0.05;
    const lo = Math.floor(vi);
    const hi = Math.min(lo + 1, s.length - 1);
    const t = vi - lo;
    const a = s[lo]!;
    const b = s[hi]!;
    const diff = b - a;
    const threshold = t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    let count = 0;
    for (const v of s) if (v <= threshold) count++;
    return { threshold, ratio: count / s.length };
  }

  it('agrees on 300 random slices with heavy ties, sizes 1..40000', () => {
    let state = 12345;
    const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 300; trial++) {
      const n = trial < 100 ? 1 + Math.floor(rand() * 50) : 1 + Math.floor(rand() ** 2 * 40000);
      const levels = [2, 5, 50, 1e9][trial % 4]!;
      const background = rand();
      const v = new Int32Array(n);
      for (let i = 0; i < n; i++) v[i] = rand() < background ? 0 : Math.floor(rand() * levels) - (trial % 3 === 0 ? levels / 2 : 0);
      expect(blackPixelRatio(v), `trial ${trial} n=${n}`).toEqual(reference(v));
    }
  });

  it('agrees on large slices built to fool a strided sample (the sampled-pivot road and its fallback)', () => {
    const cases: [string, Float64Array][] = [];
    for (const n of [2048, 4096, 25_600, 65_536]) {
      const stride = Math.floor(n / 256);
      // the sample sees only the bright pixels at multiples of the stride: pivot far too high
      cases.push([`bright on the stride ${n}`, Float64Array.from({ length: n }, (_, i) => (i % stride === 0 ? 1000 + i : i % 7))]);
      // the sample sees only dark pixels: pivot too low, fewer than 5% at or below it
      cases.push([`dark on the stride ${n}`, Float64Array.from({ length: n }, (_, i) => (i % stride === 0 ? -5 : 100 + (i % 13)))]);
      cases.push([`ascending ${n}`, Float64Array.from({ length: n }, (_, i) => i * 0.5)]);
      cases.push([`descending ${n}`, Float64Array.from({ length: n }, (_, i) => n - i)]);
      cases.push([`constant ${n}`, new Float64Array(n).fill(3)]);
      cases.push([`two levels ${n}`, Float64Array.from({ length: n }, (_, i) => (i % 20 === 0 ? 0 : 1))]);
    }
    for (const n of [2048, 4096]) {
      cases.push([`all +Infinity ${n}`, new Float64Array(n).fill(Number.POSITIVE_INFINITY)]);
      cases.push([`every 5th -Infinity ${n}`, Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? Number.NEGATIVE_INFINITY : i))]);
      cases.push([`-Infinity on the stride ${n}`, Float64Array.from({ length: n }, (_, i) => (i % Math.floor(n / 256) === 0 ? Number.NEGATIVE_INFINITY : i % 11))]);
    }
    for (const [name, v] of cases) expect(blackPixelRatio(v), name).toEqual(reference(v));
    // a NaN anywhere, also where the sample does not look: numpy's answer (threshold NaN, ratio 0)
    const withNaN = Float64Array.from({ length: 4096 }, (_, i) => i);
    withNaN[4095 - 3] = Number.NaN;
    expect(blackPixelRatio(withNaN)).toEqual({ threshold: Number.NaN, ratio: 0 });
  });
});

describe('blackPixelRatioOfStored (order statistics on stored integers, rescale applied to two values)', () => {
  // numpy on pydicom's modality values: stored.astype(float64) * slope + intercept, then the percentile
  const viaFloat64 = (stored: ArrayLike<number>, slope: number, intercept: number) =>
    blackPixelRatio(Float64Array.from(stored, (v) => v * slope + intercept));

  it('equals the float64 route on 400 random slices: 8/16-bit, signed or not, with and without rescale', () => {
    let state = 987654;
    const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const rescales: [number, number][] = [[1, 0], [0.5, -1000], [2.5, 16], [0.0123, -7.5], [1e-3, 1024], [3, -32768], [0.1, 0.1], [-1, 0], [0, 5], [1e-12, 1e6], [1e305, 0], [1e300, -1e308]];
    for (let trial = 0; trial < 400; trial++) {
      const n = trial < 40 ? 1 + Math.floor(rand() * 3000) : 2048 + Math.floor(rand() * 30000);
      const kind = trial % 4;
      const stored = kind === 0 ? new Uint16Array(n) : kind === 1 ? new Int16Array(n) : kind === 2 ? new Uint8Array(n) : new Int8Array(n);
      const range = kind === 0 ? 4096 : kind === 1 ? 2000 : kind === 2 ? 256 : 128;
      const background = rand();
      for (let i = 0; i < n; i++) stored[i] = rand() < background ? (kind === 1 ? -range : 0) : Math.floor(rand() * range) - (kind === 1 || kind === 3 ? range / 2 : 0);
      const [slope, intercept] = rescales[trial % rescales.length]!;
      const got = blackPixelRatioOfStored(stored, slope, intercept);
      const want = viaFloat64(stored, slope, intercept);
      expect(Object.is(got.threshold, want.threshold) && got.ratio === want.ratio, `trial ${trial} n=${n} slope ${slope} intercept ${intercept}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBe(true);
    }
  });
});
