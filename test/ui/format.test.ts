import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, formatEta, formatMetric, formatRate, stageElement, truncate } from '../../src/ui/format.js';
import { sparkline } from '../../src/ui/sparkline.js';

describe('formatters', () => {
  it('formats durations by size', () => {
    expect(formatDuration(0.44)).toBe('0.4s');
    expect(formatDuration(9.96)).toBe('10.0s');
    expect(formatDuration(12.4)).toBe('12s');
    expect(formatDuration(187)).toBe('3m 07s');
    expect(formatDuration(3725)).toBe('1h 02m');
    expect(formatDuration(47 * 3600 + 60)).toBe('47h 01m');
    expect(formatDuration(12.5 * 86_400)).toBe('12d 12h');
    expect(formatDuration(-1)).toBe('–');
    expect(formatDuration(Number.NaN)).toBe('–');
  });

  it('formats ETAs in whole seconds, rounded up', () => {
    expect(formatEta(0.2)).toBe('1s');
    expect(formatEta(14)).toBe('14s');
    expect(formatEta(59.5)).toBe('60s');
    expect(formatEta(124.1)).toBe('2m 05s');
  });

  it('formats rates by size', () => {
    expect(formatRate(0.25)).toBe('0.25/s');
    expect(formatRate(3.44)).toBe('3.4/s');
    expect(formatRate(123.6)).toBe('124/s');
  });

  it('formats metrics with 4 significant digits', () => {
    expect(formatMetric(0.123456)).toBe('0.1235');
    expect(formatMetric(1)).toBe('1');
    expect(formatMetric(0.00001234)).toBe('1.23e-5');
    expect(formatMetric(0)).toBe('0');
  });

  it('formats clock time as local HH:MM:SS', () => {
    const ms = Date.UTC(2026, 0, 2, 3, 4, 5);
    // Date#toTimeString starts with local HH:MM:SS: an independent reference for the local zone
    expect(formatClock(ms)).toBe(new Date(ms).toTimeString().slice(0, 8));
    expect(formatClock(ms)).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it('finds the foreach element after @', () => {
    expect(stageElement('train@ViT')).toBe('ViT');
    expect(stageElement('train@resnet@2')).toBe('resnet@2');
    expect(stageElement('ingest')).toBeUndefined();
  });

  it('truncates with an ellipsis', () => {
    expect(truncate('preprocess', 20)).toBe('preprocess');
    expect(truncate('preprocess', 5)).toBe('prep…');
    expect(truncate('preprocess', 1)).toBe('…');
    expect(truncate('preprocess', 0)).toBe('');
  });
});

describe('sparkline', () => {
  it('maps the minimum to ▁ and the maximum to █, linearly in between', () => {
    // 0..7 over 8 levels: one level per value
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([1.0, 0.5, 0.25])).toBe('█▃▁');
  });

  it('draws a flat series at mid height and non-finite values as gaps', () => {
    expect(sparkline([2, 2, 2])).toBe('▄▄▄');
    expect(sparkline([1, Number.NaN, 0])).toBe('█ ▁');
    expect(sparkline([])).toBe('');
  });

  it('keeps only the most recent values when narrower than the series', () => {
    // [0, 1, 2]: 1 sits at fraction 0.5, the lower edge of the 5th of 8 equal bins (▅)
    expect(sparkline([9, 0, 1, 2], 3)).toBe('▁▅█');
    expect(sparkline([1, 2], 0)).toBe('');
  });
});
