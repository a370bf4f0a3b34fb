// Metrics against scikit-learn: expected values come from test/fixtures/metrics/make_reference.py.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binaryMetrics, metricsOf, prepareLabel, rocCurve } from '../../src/metrics/index.js';
import { METRICS, type MetricName } from '../../src/metrics/types.js';

interface Expected extends Record<MetricName, number | null> {
  roc: { fpr: number[]; tpr: number[]; thresholds: (number | null)[] } | null;
}
interface Case {
  name: string;
  y: number[];
  s: number[];
  w?: number[];
  expected: Expected;
}
const ref = JSON.parse(readFileSync(new URL('../fixtures/metrics/reference.json', import.meta.url), 'utf8')) as {
  binary: Case[];
  weighted: Case[];
};

function expectMatches(got: ReturnType<typeof binaryMetrics>, expected: Expected): void {
  for (const m of METRICS) {
    const e = expected[m];
    const g = got[m];
    if (e === null) {
      expect(g.defined, `${m} should be undefined`).toBe(false);
      if (!g.defined) expect(g.reason.length).toBeGreaterThan(0);
    } else {
      expect(g.defined, `${m} should be defined`).toBe(true);
      expect(g.value, m).toBeCloseTo(e, 12);
    }
  }
}

describe('binary metrics equal sklearn', () => {
  for (const c of ref.binary) {
    it(c.name, () => {
      expectMatches(binaryMetrics(c.s, c.y, 0.5), c.expected);
    });
  }

  for (const c of ref.binary) {
    it(`ROC curve: ${c.name}`, () => {
      const roc = rocCurve(prepareLabel(c.s, c.y, 0.5));
      if (c.expected.roc === null) {
        expect(roc).toBeNull();
        return;
      }
      expect(roc).not.toBeNull();
      const r = roc ?? [];
      expect(r.map((p) => p.fpr)).toEqual(c.expected.roc.fpr.map((v) => expect.closeTo(v, 12)));
      expect(r.map((p) => p.tpr)).toEqual(c.expected.roc.tpr.map((v) => expect.closeTo(v, 12)));
      expect(r.map((p) => p.threshold)).toEqual(c.expected.roc.thresholds);
    });
  }
});

describe('integer weights equal sklearn sample_weight (what the bootstrap relies on)', () => {
  for (const c of ref.weighted) {
    it(c.name, () => {
      const w = c.w ?? [];
      expectMatches(metricsOf(prepareLabel(c.s, c.y, 0.5), w), c.expected);
      // …and equal the metrics of the sample with rows repeated w times.
      const ys = c.y.flatMap((y, i) => Array<number>(w[i] ?? 0).fill(y));
      const ss = c.s.flatMap((s, i) => Array<number>(w[i] ?? 0).fill(s));
      expectMatches(binaryMetrics(ss, ys, 0.5), c.expected);
    });
  }
});

describe('single-class values are explained, not NaN', () => {
  it('all negative', () => {
    const m = binaryMetrics([0.1, 0.6, 0.3], [0, 0, 0]);
    expect(m.auroc).toEqual({ defined: false, value: null, reason: 'only one class present (n=3, all negative)' });
    expect(m.auprc.defined).toBe(false);
    expect(m.sensitivity).toMatchObject({ defined: false, reason: expect.stringContaining('no positive cases') });
    expect(JSON.stringify(m)).not.toMatch(/NaN|Infinity/);
  });
  it('all positive', () => {
    const m = binaryMetrics([0.1, 0.6], [1, 1]);
    expect(m.auroc).toEqual({ defined: false, value: null, reason: 'only one class present (n=2, all positive)' });
    expect(m.specificity.defined).toBe(false);
    expect(m.sensitivity).toEqual({ defined: true, value: 0.5 });
  });
});
