import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resizeBilinear, zscore } from '../../src/tensors/index.js';

interface Case { h: number; w: number; size: number; input: number[]; output: number[]; zscore: number[] }
// Made by test/fixtures/tensors/make_resize_reference.py (PyTorch 1.13 F.interpolate bilinear, align_corners=False).
const ref = JSON.parse(readFileSync(new URL('../fixtures/tensors/resize-reference.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('resizeBilinear vs PyTorch', () => {
  it.each(ref.cases.map((c) => [`${c.h}×${c.w} → ${c.size}`, c] as const))('%s', (_name, c) => {
    const out = resizeBilinear(Float32Array.from(c.input), c.h, c.w, c.size);
    expect(out).toHaveLength(c.size * c.size);
    const range = Math.max(...c.input) - Math.min(...c.input);
    let worst = 0;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - c.output[i]!));
    // PyTorch's float32 kernel rounds as it goes (≈1e-6 of the range off its own float64 result); we compute in
    // float64, so agreement is to float32 noise, far below anything a model could see.
    expect(worst / range).toBeLessThan(1e-6);
  });

  it('rejects a pixel count that does not fit h×w', () => {
    expect(() => resizeBilinear(new Float32Array(5), 2, 3, 4)).toThrow(RangeError);
  });
});

describe('zscore vs numpy', () => {
  it.each(ref.cases.map((c) => [`${c.h}×${c.w}`, c] as const))('%s', (_name, c) => {
    const z = zscore(Float32Array.from(c.input));
    for (let i = 0; i < z.length; i++) expect(Math.abs(z[i]! - c.zscore[i]!)).toBeLessThan(1e-6);
  });

  it('gives zeros for a constant slice instead of NaN', () => {
    expect([...zscore(new Float32Array([7, 7, 7, 7]))]).toEqual([0, 0, 0, 0]);
    expect([...zscore(new Float32Array(0))]).toEqual([]);
  });

  it('uses the population std: [1, 3] → [-1, 1]', () => {
    expect([...zscore(new Float32Array([1, 3]))]).toEqual([-1, 1]);
  });
});
