// formatResultsTable: the terminal table and its JSON form.
import { describe, expect, it } from 'vitest';
import { formatResultsTable, type ResultsSummary } from '../../src/report/index.js';
import { makeResult } from './make-results.js';

describe('formatResultsTable', () => {
  const results = [makeResult(0), makeResult(1, { dropIdhPositives: true })];

  it('text: a block per model with its facts, a row per mutation, the mean, and reasons for dashes', () => {
    const text = formatResultsTable(results, { json: false });
    expect(text).toContain('AlexNet2D · 57.0M parameters · tensorflow (CUDA) · 10 epochs, best epoch 6');
    expect(text).toContain('SENet · 11.3M parameters');
    const lines = text.split('\n');
    const header = lines.find((l) => l.startsWith('Mutation'));
    expect(header).toMatch(/AUROC \[95% CI\]\s+AUPRC\s+Acc@0\.5\s+Bal\.acc/);
    // Each mutation row carries the values from the evaluation, formatted to 2 decimals.
    const ev = results[0]?.evaluation.patient;
    for (const le of ev?.perLabel ?? []) {
      const row = lines.find((l) => l.startsWith(`${le.label} `));
      expect(row, le.label).toBeDefined();
      const a = le.metrics.auroc;
      if (a.defined && a.ci?.defined) expect(row).toContain(`${a.value.toFixed(2)} [${a.ci.low.toFixed(2)}, ${a.ci.high.toFixed(2)}]`);
      expect(row).toContain(`${le.positivePatients}/${le.patients}`);
    }
    const idhSenet = lines.filter((l) => l.startsWith('IDH '))[1];
    expect(idhSenet).toMatch(/^IDH\s+0\/24\s+—\s+—/);
    expect(text).toContain('SENet IDH AUROC (patient): only one class present (n=24, all negative)');
    expect(text).toContain('mean (3/4)');
    expect(text).toContain('mean (4/4)');
    // Columns line up: every row of a block has its AUROC column at the same offset.
    const at = header?.indexOf('AUROC') ?? -1;
    for (const l of lines.filter((x) => /^(TP53|PTEN|EGFR) /.test(x))) expect(l.slice(at, at + 4)).toMatch(/^0\.\d\d$/);
  });

  it('json: machine-readable summaries with unrounded values and nulls for undefined', () => {
    const parsed = JSON.parse(formatResultsTable(results, { json: true })) as ResultsSummary[];
    expect(parsed.map((s) => s.model)).toEqual(['AlexNet2D', 'SENet']);
    const auroc = results[0]?.evaluation.patient.perLabel[2]?.metrics.auroc;
    expect(parsed[0]?.labels[2]?.patient.auroc.value).toBe(auroc?.value);
    expect(parsed[1]?.labels[3]?.patient.auroc).toEqual({ value: null, low: null, high: null, note: 'only one class present (n=24, all negative)' });
    expect(parsed[1]?.mean.patient.auroc.over).toBe(3);
    expect(parsed[0]?.labels[0]?.slice.accuracy.value).toBe(results[0]?.evaluation.slice.perLabel[0]?.metrics.accuracy.value);
  });

  it('no results: says so', () => {
    expect(formatResultsTable([], { json: false })).toBe('no model results yet\n');
    expect(JSON.parse(formatResultsTable([], { json: true }))).toEqual([]);
  });
});
