import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LegacyRandomState, numpySum } from '../../src/preprocess/numpy-random.js';

// Reference: numpy 1.24, written by test/fixtures/preprocess/make_numpy_random_fixtures.py.
type Draw = { op: 'randint'; high: number; value: number } | { op: 'uniform'; n: number; values: string[] };
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/preprocess/numpy-random.json', import.meta.url), 'utf8'),
) as { streams: { seed: number; draws: Draw[] }[]; sums: { values: string[]; sum: string }[] };

describe('LegacyRandomState replays np.random.RandomState', () => {
  for (const stream of fixture.streams) {
    it(`seed ${stream.seed}: randint and uniform draws are identical`, () => {
      const rs = new LegacyRandomState(stream.seed);
      for (const d of stream.draws) {
        if (d.op === 'randint') expect(rs.randint(d.high)).toBe(d.value);
        else expect(rs.uniform(d.n)).toEqual(d.values.map(Number));
      }
    });
  }

  it('rejects seeds numpy rejects', () => {
    expect(() => new LegacyRandomState(-1)).toThrow(RangeError);
    expect(() => new LegacyRandomState(2 ** 32)).toThrow(RangeError);
  });
});

describe('numpySum rounds like np.sum (pairwise)', () => {
  for (const s of fixture.sums) {
    it(`n = ${s.values.length}`, () => {
      expect(Object.is(numpySum(s.values.map(Number)), Number(s.sum))).toBe(true);
    });
  }
});
