import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/engine/result.js';
import { readLabelFile } from '../../src/labels/index.js';
import { assignSplits, splitInFold, type SplitOptions, type SplitPatient, type SplitResult } from '../../src/splits/index.js';

const SHARED = fileURLToPath(new URL('../../../shared/data/labels/', import.meta.url));
const haveShared = existsSync(SHARED);
if (!haveShared) console.warn('skipping shared cohort split tests: ../shared not present');

/** A synthetic cohort with independent labels of the given prevalences (mulberry32, fixed seed). */
function cohort(n: number, prevalence: number[], seed = 7): SplitPatient[] {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, (_, i) => ({ id: `P${String(i).padStart(4, '0')}`, labels: prevalence.map((p) => (rnd() < p ? 1 : 0)) }));
}

function run(patients: SplitPatient[], options: SplitOptions): SplitResult {
  const r = assignSplits(patients, options);
  if (!r.ok) throw new Error(formatError(r.error));
  return r.value;
}

/** Checks computed here from the assignments, not from the result's own counts. */
function checkPartition(patients: SplitPatient[], res: SplitResult, k: number | null): void {
  const ids = patients.map((p) => p.id).sort();
  expect(res.assignments.map((a) => a.patient)).toEqual(ids); // every patient exactly once, sorted
  if (k === null) return;
  // every fold has test, validation and training patients, and over the k folds each patient is tested
  // once and validated once, in different folds
  const testedIn = new Map<string, number[]>();
  const validatedIn = new Map<string, number[]>();
  for (let f = 0; f < k; f++) {
    const counts = { train: 0, val: 0, test: 0 };
    for (const a of res.assignments) {
      expect(Number.isInteger(a.fold) && a.fold! >= 0 && a.fold! < k, `${a.patient}: fold ${a.fold}`).toBe(true);
      const role = splitInFold(a.fold!, f, k);
      counts[role]++;
      if (role === 'test') testedIn.set(a.patient, [...(testedIn.get(a.patient) ?? []), f]);
      if (role === 'val') validatedIn.set(a.patient, [...(validatedIn.get(a.patient) ?? []), f]);
    }
    expect(Math.min(counts.train, counts.val, counts.test), `fold ${f}: ${JSON.stringify(counts)}`).toBeGreaterThan(0);
  }
  for (const id of ids) {
    expect(testedIn.get(id), id).toHaveLength(1);
    expect(validatedIn.get(id), id).toHaveLength(1);
    expect(validatedIn.get(id)?.[0]).not.toBe(testedIn.get(id)?.[0]);
  }
  // every patient in exactly one test fold
  const tests = Array.from({ length: k }, (_, f) => res.assignments.filter((a) => splitInFold(a.fold!, f, k) === 'test').map((a) => a.patient));
  expect(tests.flat().sort()).toEqual(ids);
}

function positivesBy(patients: SplitPatient[], res: SplitResult, key: (a: SplitResult['assignments'][number]) => string): Map<string, { n: number; pos: number[] }> {
  const labels = new Map(patients.map((p) => [p.id, p.labels]));
  const out = new Map<string, { n: number; pos: number[] }>();
  for (const a of res.assignments) {
    const k = key(a);
    const e = out.get(k) ?? { n: 0, pos: [0, 0, 0, 0] };
    e.n++;
    labels.get(a.patient)!.forEach((b, j) => (e.pos[j]! += b ? 1 : 0));
    out.set(k, e);
  }
  return out;
}

describe('assignSplits', () => {
  const pts = cohort(400, [0.32, 0.33, 0.23, 0.07]);

  it('assigns every patient once, sizes near 70/15/15, balance near global prevalence', () => {
    const res = run(pts, { seed: 1, val: 0.15, test: 0.15 });
    checkPartition(pts, res, null);
    const by = positivesBy(pts, res, (a) => a.split);
    expect(Math.abs(by.get('test')!.n / 400 - 0.15)).toBeLessThan(0.02);
    expect(Math.abs(by.get('val')!.n / 400 - 0.15)).toBeLessThan(0.02);
    const global = [0, 1, 2, 3].map((j) => pts.filter((p) => p.labels[j]).length / 400);
    for (const [split, e] of by) {
      for (let j = 0; j < 4; j++) {
        expect(e.pos[j], `${split} label ${j}`).toBeGreaterThan(0);
        // Each joint stratum is cut to within one patient, so a label is off by a few patients at most.
        expect(Math.abs(e.pos[j]! - e.n * global[j]!), `${split} label ${j}`).toBeLessThanOrEqual(3);
      }
    }
    expect(res.warnings).toEqual([]);
  });

  it('is deterministic, independent of input order, and changes with the seed', () => {
    const a = run(pts, { seed: 5, val: 0.15, test: 0.15, folds: 5 });
    const b = run([...pts].reverse(), { seed: 5, val: 0.15, test: 0.15, folds: 5 });
    expect(b.assignments).toEqual(a.assignments);
    const c = run(pts, { seed: 6, val: 0.15, test: 0.15, folds: 5 });
    expect(c.assignments).not.toEqual(a.assignments);
  });

  it('k-fold: every patient in exactly one test fold, each fold stratified and holding positives', () => {
    const k = 5;
    const res = run(pts, { seed: 3, val: 0.15, test: 0.15, folds: k });
    checkPartition(pts, res, k);
    const by = positivesBy(pts, res, (a) => String(a.fold));
    const global = [0, 1, 2, 3].map((j) => pts.filter((p) => p.labels[j]).length / 400);
    for (const [fold, e] of by) {
      expect(Math.abs(e.n - 80), `fold ${fold} size`).toBeLessThanOrEqual(4);
      for (let j = 0; j < 4; j++) {
        expect(e.pos[j]).toBeGreaterThan(0);
        expect(Math.abs(e.pos[j]! - e.n * global[j]!)).toBeLessThanOrEqual(3);
      }
    }
  });

  it('adding one patient moves at most 2 others (plain) and at most k-1 others (folds)', () => {
    const base = run(pts, { seed: 11, val: 0.15, test: 0.15, folds: 5 });
    const before = new Map(base.assignments.map((a) => [a.patient, a]));
    for (let i = 0; i < 16; i++) {
      const extra: SplitPatient = { id: `Q${i}`, labels: [i & 1, (i >> 1) & 1, (i >> 2) & 1, (i >> 3) & 1] };
      const next = run([...pts, extra], { seed: 11, val: 0.15, test: 0.15, folds: 5 });
      const others = next.assignments.filter((a) => a.patient !== extra.id);
      expect(others.filter((a) => before.get(a.patient)!.split !== a.split).length).toBeLessThanOrEqual(2);
      expect(others.filter((a) => before.get(a.patient)!.fold !== a.fold).length).toBeLessThanOrEqual(4);
    }
  });

  it('puts a positive of a rare label in every split when the cohort allows, and warns when it cannot', () => {
    const rare = cohort(60, [0.3, 0.3, 0.2, 0]);
    rare[10]!.labels = [0, 0, 0, 1];
    rare[20]!.labels = [1, 0, 0, 1];
    rare[30]!.labels = [0, 1, 0, 1];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const res = run(rare, { seed, val: 0.15, test: 0.15 });
      checkPartition(rare, res, null);
      const by = positivesBy(rare, res, (a) => a.split);
      for (const s of ['train', 'val', 'test']) expect(by.get(s)!.pos[3], `seed ${seed} ${s}`).toBe(1);
    }
    const two = rare.map((p, i) => (i === 30 ? { ...p, labels: [0, 1, 0, 0] } : p));
    const res = run(two, { seed: 1, val: 0.15, test: 0.15 });
    const by = positivesBy(two, res, (a) => a.split);
    const lacking = ['train', 'val', 'test'].filter((s) => by.get(s)!.pos[3] === 0);
    expect(lacking).toHaveLength(1);
    expect(res.warnings.join('\n')).toContain(`IDH: only 2 positive patient(s) in the cohort, ${lacking[0]} has none`);
  });

  it('rejects bad options as values', () => {
    expect(assignSplits(pts, { seed: 1, val: 0.5, test: 0.5 }).ok).toBe(false);
    expect(assignSplits(pts, { seed: 1, val: 0.15, test: 0.15, folds: 2 }).ok).toBe(false);
  });
});

describe.skipIf(!haveShared)('assignSplits on the 363 TCGA-GBM patients', () => {
  it('holds every label in every split and fold, close to prevalence', async () => {
    const t = await readLabelFile(`${SHARED}tcga_gbm_mutations.tsv`);
    if (!t.ok) throw new Error(formatError(t.error));
    const pts = t.value.rows.map((r) => ({ id: r.patient, labels: r.labels }));
    const global = [0, 1, 2, 3].map((j) => pts.filter((p) => p.labels[j]).length / pts.length);
    for (const seed of [1, 2, 3]) {
      const res = run(pts, { seed, val: 0.15, test: 0.15, folds: 5 });
      checkPartition(pts, res, 5);
      for (const by of [positivesBy(pts, res, (a) => a.split), positivesBy(pts, res, (a) => String(a.fold))]) {
        for (const [name, e] of by) {
          for (let j = 0; j < 4; j++) {
            expect(e.pos[j], `seed ${seed} ${name} label ${j}`).toBeGreaterThan(0);
            expect(Math.abs(e.pos[j]! - e.n * global[j]!), `seed ${seed} ${name} label ${j}`).toBeLessThanOrEqual(3);
          }
        }
      }
    }
  });
});

describe('small cohorts', () => {
  it('still get exact split sizes when most label patterns hold one patient', () => {
    for (let n = 3; n <= 14; n++) {
      for (const seed of [0, 1, 2]) {
        const pts = cohort(n, [0.4, 0.4, 0.3, 0.1]).map((p, i) => ({ ...p, id: `S${seed}-${i}` }));
        const res = run(pts, { seed, val: 0.15, test: 0.15 });
        const count = (s: string): number => res.assignments.filter((a) => a.split === s).length;
        const test = Math.min(Math.max(1, Math.round(0.15 * n)), n - 2);
        expect(count('test'), `n=${n} seed=${seed}`).toBe(test);
        expect(count('val'), `n=${n} seed=${seed}`).toBe(Math.min(Math.max(1, Math.round(0.15 * n)), n - 1 - test));
      }
    }
  });
});
