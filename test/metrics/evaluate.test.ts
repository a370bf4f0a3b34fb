// evaluate(): slice/patient levels vs sklearn, fusion, bootstrap determinism and sanity.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, fusePatients, LABELS, METRICS, type EvalRow, type Evaluation, type MetricName } from '../../src/metrics/index.js';

type Ref = Record<MetricName, number | null>;
const ref = JSON.parse(readFileSync(new URL('../fixtures/metrics/reference.json', import.meta.url), 'utf8')) as {
  evaluation: {
    rows: EvalRow[];
    expected: {
      slice: Record<string, Ref>;
      patient: Record<'mean' | 'sequence-plane', Record<string, Ref> & { probs: Record<string, number[]> }>;
      bootstrapAuroc: Record<'slice' | 'patient', Record<string, { low: number; high: number; skippedFraction: number }>>;
    };
  };
};
const rows = ref.evaluation.rows;
const exp = ref.evaluation.expected;

function run(r: readonly EvalRow[], opts: Partial<Parameters<typeof evaluate>[1]> = {}): Evaluation {
  const res = evaluate(r, { bootstrap: 200, seed: 1, fusion: 'mean', ...opts });
  if (!res.ok) throw new Error(res.error.message);
  return res.value;
}

function checkLevel(level: Evaluation['slice'], expected: Record<string, Ref>): void {
  for (const le of level.perLabel) {
    const e = expected[le.label] as Ref;
    for (const m of METRICS) {
      const g = le.metrics[m];
      if (e[m] === null) expect(g.defined, `${le.label} ${m}`).toBe(false);
      else expect(g.value, `${le.label} ${m}`).toBeCloseTo(e[m] as number, 12);
    }
  }
}

describe('evaluate: point estimates equal sklearn', () => {
  it('slice level', () => {
    const ev = run(rows, { bootstrap: 0 });
    expect(ev.slice.n).toBe(rows.length);
    expect(ev.slice.patients).toBe(24);
    expect(ev.slice.perLabel.map((l) => l.label)).toEqual([...LABELS]);
    checkLevel(ev.slice, exp.slice);
    expect(ev.slice.perLabel[0]?.metrics.auroc).toMatchObject({ defined: true, ci: null });
  });
  for (const fusion of ['mean', 'sequence-plane'] as const) {
    it(`patient level, fusion ${fusion}`, () => {
      const ev = run(rows, { bootstrap: 0, fusion });
      expect(ev.patient.n).toBe(24);
      checkLevel(ev.patient, exp.patient[fusion]);
    });
  }
  for (const fusion of ['mean', 'sequence-plane'] as const) {
    it(`fused patient probabilities equal numpy's (${fusion})`, () => {
      const fused = fusePatients(rows, fusion, 4);
      expect(fused).toHaveLength(24);
      for (const p of fused) {
        const want = exp.patient[fusion].probs[p.patient] ?? [];
        expect(p.probs).toEqual(want.map((v) => expect.closeTo(v, 12)));
      }
    });
  }
  it('the two fusions differ on this fixture (uneven slices per series), so both are really tested', () => {
    const a = exp.patient.mean.probs['TCGA-00'] ?? [];
    const b = exp.patient['sequence-plane'].probs['TCGA-00'] ?? [];
    expect(Math.abs((a[0] ?? 0) - (b[0] ?? 0))).toBeGreaterThan(1e-4);
  });
  it('means over labels count the defined ones', () => {
    const ev = run(rows, { bootstrap: 0 });
    const au = ev.patient.mean.auroc;
    const want = LABELS.map((l) => exp.patient.mean[l]?.auroc as number).reduce((s, v) => s + v, 0) / 4;
    expect(au).toMatchObject({ defined: true, over: 4, of: 4, labels: [...LABELS] });
    expect(au.value).toBeCloseTo(want, 12);
  });
});

describe('evaluate: bootstrap', () => {
  it('is deterministic for a seed and changes with the seed', () => {
    const a = run(rows, { bootstrap: 100, seed: 42 });
    const b = run(rows, { bootstrap: 100, seed: 42 });
    const c = run(rows, { bootstrap: 100, seed: 43 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a.patient.perLabel[2]?.metrics.auroc)).not.toBe(JSON.stringify(c.patient.perLabel[2]?.metrics.auroc));
  });

  it('agrees with an independent numpy patient bootstrap (10,000 resamples) within Monte-Carlo error', () => {
    const ev = run(rows, { bootstrap: 1000, seed: 5 });
    for (const level of ['slice', 'patient'] as const) {
      for (const label of ['PTEN', 'EGFR']) {
        const le = ev[level].perLabel.find((l) => l.label === label);
        const ci = le?.metrics.auroc.defined ? le.metrics.auroc.ci : null;
        const want = exp.bootstrapAuroc[level][label];
        expect(ci?.defined, `${level} ${label}`).toBe(true);
        if (!ci?.defined || !want) continue;
        expect(Math.abs(ci.low - want.low), `${level} ${label} low`).toBeLessThan(0.05);
        expect(Math.abs(ci.high - want.high), `${level} ${label} high`).toBeLessThan(0.05);
      }
    }
  });

  it('skips and counts resamples without a positive patient (IDH: 1 positive of 24 → P(skip) = (23/24)^24 ≈ 0.360)', () => {
    const ev = run(rows, { bootstrap: 1000, seed: 9 });
    for (const level of ['slice', 'patient'] as const) {
      const idh = ev[level].perLabel[3];
      expect(idh?.positivePatients).toBe(1);
      const ci = idh?.metrics.auroc.defined ? idh.metrics.auroc.ci : null;
      expect(ci).not.toBeNull();
      if (!ci) continue;
      expect(ci.used + ci.skipped).toBe(1000);
      // binomial sd ≈ 0.015; 4 sd
      expect(Math.abs(ci.skipped / 1000 - Math.pow(23 / 24, 24))).toBeLessThan(0.06);
      expect(Math.abs(ci.skipped / 1000 - (exp.bootstrapAuroc[level].IDH?.skippedFraction ?? 0))).toBeLessThan(0.06);
      // accuracy is defined in every resample
      const acc = idh?.metrics.accuracy.defined ? idh.metrics.accuracy.ci : null;
      expect(acc?.skipped).toBe(0);
    }
    // The mean over labels skips a resample when any label in it is undefined.
    const m = ev.patient.mean.auroc;
    expect(m.defined && m.ci?.skipped).toBeGreaterThanOrEqual(
      (ev.patient.perLabel[3]?.metrics.auroc.defined && ev.patient.perLabel[3].metrics.auroc.ci?.skipped) || 0,
    );
  });

  it('contains the point estimate for a large sample and narrows as patients grow', () => {
    const widths: number[] = [];
    for (const n of [40, 160, 640]) {
      const r = synthetic(n, 3);
      const ev = run(r, { bootstrap: 1000, seed: 11 });
      for (const le of ev.patient.perLabel) {
        for (const m of ['auroc', 'accuracy', 'auprc', 'balancedAccuracy'] as const) {
          const est = le.metrics[m];
          expect(est.defined).toBe(true);
          if (!est.defined || !est.ci?.defined) throw new Error(`no CI for ${le.label} ${m}`);
          expect(est.ci.low).toBeLessThanOrEqual(est.ci.high);
          if (n === 640) {
            expect(est.ci.low, `${le.label} ${m}`).toBeLessThanOrEqual(est.value);
            expect(est.ci.high, `${le.label} ${m}`).toBeGreaterThanOrEqual(est.value);
          }
        }
      }
      const au = ev.patient.mean.auroc;
      if (!au.defined || !au.ci?.defined) throw new Error('no mean CI');
      widths.push(au.ci.high - au.ci.low);
    }
    expect(widths[1]).toBeLessThan(widths[0] as number);
    expect(widths[2]).toBeLessThan(widths[1] as number);
    // ~1/sqrt(n): quadrupling patients roughly halves the width
    expect((widths[2] as number) / (widths[0] as number)).toBeGreaterThan(0.15);
    expect((widths[2] as number) / (widths[0] as number)).toBeLessThan(0.45);
  });
});

describe('evaluate: degenerate and invalid input', () => {
  it('a label with one class is undefined with a reason, and the mean says over how many', () => {
    const r = rows.map((x) => ({ ...x, labels: [x.labels[0] as number, x.labels[1] as number, x.labels[2] as number, 0] }));
    const ev = run(r, { bootstrap: 50 });
    const idh = ev.patient.perLabel[3];
    expect(idh?.metrics.auroc).toEqual({ defined: false, value: null, reason: 'only one class present (n=24, all negative)' });
    expect(idh?.roc).toBeNull();
    expect(ev.patient.mean.auroc).toMatchObject({ defined: true, over: 3, of: 4, labels: ['TP53', 'PTEN', 'EGFR'] });
    expect(ev.patient.mean.accuracy).toMatchObject({ over: 4 });
    const json = JSON.stringify(ev);
    expect(json).not.toMatch(/NaN|Infinity/);
    expect(JSON.parse(json)).toEqual(ev);
  });

  it('one patient, one class everywhere: still a value, never a crash', () => {
    const ev = run([{ patient: 'A', sequence: 't1', plane: 'ax', probs: [0.2, 0.7, 0.5, 0.1], labels: [1, 1, 1, 1] }]);
    expect(ev.patient.mean.auroc).toMatchObject({ defined: false, over: 0 });
    expect(ev.patient.perLabel[1]?.metrics.accuracy).toMatchObject({ defined: true, value: 1 });
    expect(JSON.stringify(ev)).not.toMatch(/NaN|Infinity/);
  });

  it('rejects NaN probabilities, bad labels, conflicting patient labels, with the row in the error', () => {
    const base: EvalRow = { patient: 'P1', sequence: 't1', plane: 'ax', probs: [0.1, 0.2, 0.3, 0.4], labels: [0, 1, 0, 1] };
    const nan = evaluate([base, { ...base, probs: [0.1, Number.NaN, 0.3, 0.4] }], { bootstrap: 0, seed: 1, fusion: 'mean' });
    expect(nan).toMatchObject({ ok: false, error: { kind: 'metrics-input', item: expect.stringContaining('row 1') } });
    const lab = evaluate([{ ...base, labels: [0, 2, 0, 1] }], { bootstrap: 0, seed: 1, fusion: 'mean' });
    expect(lab.ok).toBe(false);
    const conflict = evaluate([base, { ...base, labels: [1, 1, 0, 1] }], { bootstrap: 0, seed: 1, fusion: 'mean' });
    expect(conflict).toMatchObject({ ok: false, error: { message: expect.stringContaining('different labels') } });
    expect(evaluate([], { bootstrap: 0, seed: 1, fusion: 'mean' }).ok).toBe(false);
    expect(evaluate([base], { bootstrap: -1, seed: 1, fusion: 'mean' }).ok).toBe(false);
    expect(evaluate([base], { bootstrap: 0, seed: 1, fusion: 'mean', threshold: Number.NaN }).ok).toBe(false);
  });
});

/** n patients, `slices` slices each, informative probabilities; deterministic (no Math.random). */
function synthetic(n: number, slices: number): EvalRow[] {
  let s = 12345;
  const u = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const out: EvalRow[] = [];
  for (let p = 0; p < n; p++) {
    const labels = LABELS.map((_, l) => (p % (l + 2) === 0 ? 1 : 0));
    for (let k = 0; k < slices; k++) {
      out.push({
        patient: `P${p}`,
        sequence: 't1',
        plane: 'ax',
        probs: labels.map((y) => Math.min(1, Math.max(0, 0.4 + 0.2 * y + (u() - 0.5) * 0.6))),
        labels,
      });
    }
  }
  return out;
}
