// What a training stage tells its user before it is far in (src/stages/model/forecast.ts): the rate measured over
// the steps after the first, the stage's whole time at that rate, and in plain words when that is days.
import { describe, expect, it } from 'vitest';
import { formatDuration, trainingForecast } from '../../src/stages/model/forecast.js';

function clock(times: number[]): () => number {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)]!;
}

describe('trainingForecast', () => {
  it('ViT on the real cohort at 0.37 images/s: days, said as a warning with the numbers and what to do', () => {
    // batch 1 ends at 200 s (warm-up), batches 2 and 3 take 86 s each: 64 images in 172 s
    const f = trainingForecast({ model: 'ViT', backend: 'wasm', epochs: 10, batches: 1219, batchSize: 32, trainRows: 39_000, valRows: 5_000 }, clock([0, 200_000, 286_000, 372_000]));
    expect(f.after({ batch: 1 })).toBeNull();
    expect(f.after({ batch: 2 })).toBeNull();
    const said = f.after({ batch: 3 })!;
    expect(said.imagesPerSecond).toBeCloseTo(64 / 172, 6);
    // 10 × (39,000 + 5,000 / 3) images at 0.372/s
    expect(said.seconds).toBeCloseTo((10 * (39_000 + 5_000 / 3)) / (64 / 172), 0);
    expect(said.level).toBe('warn');
    expect(said.message).toContain('0.37 images/s over 2 steps after the first');
    expect(said.message).toContain('12.6 days');
    expect(said.message).toMatch(/GPU/);
  });

  it('a short run: said once, as information, from the step after the first', () => {
    const f = trainingForecast({ model: 'AlexNet2D', backend: 'wasm', epochs: 1, batches: 2, batchSize: 32, trainRows: 64, valRows: 72 }, clock([0, 9_000, 16_000]));
    expect(f.after({ batch: 1 })).toBeNull();
    const said = f.after({ batch: 2 })!;
    expect(said.level).toBe('info');
    expect(said.imagesPerSecond).toBeCloseTo(32 / 7, 6);
    expect(said.message).toContain('over the step after the first');
    expect(said.message).toContain(`≈ ${formatDuration((64 + 24) / (32 / 7))}`);
  });

  it('one batch only: the first step, warm-up included', () => {
    const f = trainingForecast({ model: 'SENet', backend: 'wasm', epochs: 2, batches: 1, batchSize: 8, trainRows: 8, valRows: 0 }, clock([1_000, 5_000]));
    const said = f.after({ batch: 1 })!;
    expect(said.imagesPerSecond).toBeCloseTo(2, 6);
    expect(said.message).toContain('the first step');
  });

  it('durations read as a person would say them', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(1800)).toBe('30 min');
    expect(formatDuration(10 * 3600)).toBe('10.0 h');
    expect(formatDuration(3 * 86_400)).toBe('3.0 days');
  });
});
