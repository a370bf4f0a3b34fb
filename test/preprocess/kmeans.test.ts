import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clusterSeries, keepMask, SKLEARN_1_2_DEFAULTS, type KeepMode } from '../../src/preprocess/kmeans.js';

// Reference: scikit-learn 1.2 KMeans(n_clusters=3, random_state=0) on ratio vectors of simulated
// and real MRI stacks, written by test/fixtures/preprocess/make_kmeans_fixtures.py.
interface RefSeries {
  name: string;
  ratios: number[];
  centres: number[];
  inertia: number;
  keepMiddle: boolean[];
  keepLowest: boolean[];
  keepNotHighest: boolean[];
  warnings: string[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/preprocess/kmeans-series.json', import.meta.url), 'utf8'),
) as { sklearn: string; cases: RefSeries[]; degenerate: RefSeries[] };

const options = { seed: SKLEARN_1_2_DEFAULTS.seed, nInit: SKLEARN_1_2_DEFAULTS.nInit };
const modes: [KeepMode, keyof RefSeries][] = [
  ['middle', 'keepMiddle'],
  ['lowest', 'keepLowest'],
  ['not-highest', 'keepNotHighest'],
];

describe('clusterSeries against scikit-learn', () => {
  it('the reference has at least 200 series, some from real files', () => {
    expect(fixture.sklearn.startsWith('1.2')).toBe(true);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(200);
    expect(fixture.cases.some((c) => c.name.startsWith('real-'))).toBe(true);
  });

  for (const [mode, key] of modes) {
    it(`kept slices ('${mode}') equal sklearn's on >= 99% of series`, () => {
      const differing: string[] = [];
      for (const c of fixture.cases) {
        const r = clusterSeries(c.ratios, options);
        if (!r.ok) throw new Error(`${c.name}: ${r.error.message}`);
        const mask = keepMask(r.value, mode);
        if (JSON.stringify(mask) !== JSON.stringify(c[key])) differing.push(c.name);
      }
      const agreement = 1 - differing.length / fixture.cases.length;
      console.log(
        `kmeans '${mode}' agreement with sklearn: ${fixture.cases.length - differing.length}/${fixture.cases.length} = ${(agreement * 100).toFixed(2)}%` +
          (differing.length ? ` (differ: ${differing.join(', ')})` : ''),
      );
      expect(agreement).toBeGreaterThanOrEqual(0.99);
    });
  }

  it('finds the same centres and inertia as sklearn (same optimum) on >= 99% of series', () => {
    let same = 0;
    let worse = 0;
    for (const c of fixture.cases) {
      const r = clusterSeries(c.ratios, options);
      if (!r.ok) throw new Error(r.error.message);
      const ours = [...r.value.centers].sort((a, b) => a - b);
      const theirs = [...c.centres].sort((a, b) => a - b);
      if (ours.every((v, i) => Math.abs(v - theirs[i]!) <= 1e-9)) same++;
      if (r.value.inertia > c.inertia * (1 + 1e-9) + 1e-15) worse++;
    }
    console.log(`kmeans centres equal sklearn's on ${same}/${fixture.cases.length}; worse inertia on ${worse}`);
    expect(same / fixture.cases.length).toBeGreaterThanOrEqual(0.99);
  });
});

describe('clusterSeries contract', () => {
  it('rank orders the centres; labels index centres; inertia is the sum of squared distances', () => {
    const ratios = [0.95, 0.9, 0.6, 0.35, 0.3, 0.31, 0.33, 0.58, 0.93, 0.97];
    const r = clusterSeries(ratios, options);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { labels, centers, rank, inertia } = r.value;
    // Optimal 1-D 3-partition of this vector by hand: {0.3..0.35}, {0.58, 0.6}, {0.9..0.97}.
    expect(rank).toEqual([2, 2, 1, 0, 0, 0, 0, 1, 2, 2]);
    const expectedCentres = [(0.35 + 0.3 + 0.31 + 0.33) / 4, (0.6 + 0.58) / 2, (0.95 + 0.9 + 0.93 + 0.97) / 4];
    expect([...centers].sort((a, b) => a - b).map((c) => c.toFixed(12))).toEqual(expectedCentres.map((c) => c.toFixed(12)));
    let ss = 0;
    ratios.forEach((x, i) => (ss += (x - centers[labels[i]!]!) ** 2));
    expect(inertia).toBeCloseTo(ss, 14);
    expect(keepMask(r.value, 'middle')).toEqual(rank.map((k) => k === 1));
    expect(keepMask(r.value, 'lowest')).toEqual(rank.map((k) => k === 0));
    expect(keepMask(r.value, 'not-highest')).toEqual(rank.map((k) => k !== 2));
  });

  it('is deterministic for a seed', () => {
    const ratios = fixture.cases[0]!.ratios;
    expect(clusterSeries(ratios, { seed: 7, nInit: 4 })).toEqual(clusterSeries(ratios, { seed: 7, nInit: 4 }));
  });

  it('fewer than 3 slices is a reason, not a crash', () => {
    for (const ratios of [[], [0.5], [0.2, 0.9]]) {
      const r = clusterSeries(ratios, options);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.reason).toBe('too-few-slices');
        expect(r.error.slices).toBe(ratios.length);
      }
    }
  });

  it('fewer than 3 distinct ratios is a reason (sklearn only warns and returns an arbitrary split)', () => {
    expect(fixture.degenerate.length).toBeGreaterThan(0);
    for (const c of fixture.degenerate) {
      // The reference confirms these are degenerate for sklearn too.
      expect(c.warnings.join(' ')).toMatch(/Number of distinct clusters \([12]\) found smaller than n_clusters \(3\)/);
      const r = clusterSeries(c.ratios, options);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.reason).toBe('too-few-distinct-values');
        expect(r.error.distinct).toBe(new Set(c.ratios).size);
      }
    }
  });

  it('rejects non-finite ratios and bad options with a reason', () => {
    const nan = clusterSeries([0.1, Number.NaN, 0.5, 0.7], options);
    expect(!nan.ok && nan.error.reason).toBe('non-finite-ratio');
    const bad = clusterSeries([0.1, 0.2, 0.5, 0.7], { seed: 0, nInit: 0 });
    expect(!bad.ok && bad.error.reason).toBe('invalid-options');
  });
});
