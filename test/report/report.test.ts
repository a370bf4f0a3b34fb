// renderReport: every plot as .vl.json/.svg/.png, and a self-contained report.html with the results table.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/index.js';
import { makeHistory, makeResult } from './make-results.js';
import { pngSize } from './png.js';

const dir = mkdtempSync(join(tmpdir(), 'glioflow-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('renderReport', () => {
  const results = [makeResult(0), makeResult(1, { dropIdhPositives: true }), makeResult(2)];

  it('writes plots and a self-contained report.html', async () => {
    const r = await renderReport({ results, histories: { AlexNet2D: makeHistory(10), ViT: makeHistory(12, 2) }, outDir: dir, generatedAt: 'test' });
    if (!r.ok) throw new Error(r.error.message);
    const { html, plots, notes } = r.value;
    expect(html).toBe(join(dir, 'report.html'));

    // 1 cross-model plot, 2 convergence plots (SENet has no history), 3 ROC plots; each as three files.
    expect(plots.map((p) => `${p.model ?? '*'}/${p.name}`).sort()).toEqual(
      ['*/auroc-by-model', 'AlexNet2D/convergence', 'AlexNet2D/roc', 'SENet/roc', 'ViT/convergence', 'ViT/roc'].sort(),
    );
    expect(notes).toEqual(['SENet: no training history, so no convergence plot']);
    for (const p of plots) {
      expect(pngSize(readFileSync(p.png))).toEqual({ width: p.width, height: p.height });
      expect(readFileSync(p.svg, 'utf8')).toMatch(/^<svg /);
      expect(JSON.parse(readFileSync(p.vl, 'utf8'))).toHaveProperty('$schema');
    }
    expect(existsSync(join(dir, 'ViT', 'plots', 'roc.png'))).toBe(true);
    expect(existsSync(join(dir, 'comparison', 'auroc-by-model.png'))).toBe(true);
    // the cross-model table as CSV: 3 models × 2 levels × (labels + mean) × 7 metrics
    expect(r.value.table).toBe(join(dir, 'comparison', 'results.csv'));
    const [header, ...csvRows] = readFileSync(r.value.table, 'utf8').trim().split('\n');
    expect(header).toBe('model,level,label,patients,positive_patients,metric,value,ci_low,ci_high,note');
    const labelCount = results[0]!.evaluation.patient.perLabel.length;
    expect(csvRows).toHaveLength(results.length * 2 * (labelCount + 1) * 7);
    const auroc = csvRows.find((row) => row.startsWith(`${results[0]!.model},patient,TP53,`) && row.includes(',auroc,'));
    const expected = results[0]!.evaluation.patient.perLabel.find((l) => l.label === 'TP53')!.metrics.auroc;
    expect(auroc?.split(',')[6]).toBe(expected.defined ? String(expected.value) : '');

    const page = readFileSync(html, 'utf8');
    // Self-contained: no scripts, no stylesheets or images fetched from anywhere, no http(s) URL at all.
    expect(page).not.toMatch(/<script|<link|<iframe/i);
    expect(page).not.toMatch(/https?:\/\//);
    const srcs = [...page.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(srcs).toHaveLength(plots.length);
    for (const s of srcs) {
      expect(s.startsWith('data:image/png;base64,')).toBe(true);
      expect(pngSize(Buffer.from(s.slice('data:image/png;base64,'.length), 'base64'))).not.toBeNull();
    }
    // Links point at the files beside report.html, and they exist.
    for (const m of page.matchAll(/\shref="([^"]*)"/g)) expect(existsSync(join(dir, m[1] ?? '-'))).toBe(true);

    // The table: every model, its parameter count, backend, best epoch; AUROC [CI] values from the evaluation.
    expect(page).toContain('<table class="results">');
    for (const res of results) {
      expect(page).toContain(`>${res.model}</td>`);
      expect(page).toContain(`title="${res.parameterCount}"`);
      expect(page).toContain(res.backend);
      for (const le of res.evaluation.patient.perLabel) {
        const a = le.metrics.auroc;
        if (a.defined && a.ci?.defined) expect(page).toContain(`${a.value.toFixed(2)} [${a.ci.low.toFixed(2)}, ${a.ci.high.toFixed(2)}]`);
        const ap = le.metrics.auprc;
        if (ap.defined) expect(page).toContain(`<td>${ap.value.toFixed(2)}</td>`);
      }
    }
    // The undefined IDH AUROC of SENet is shown as a dash with its reason.
    expect(page).toContain('title="only one class present (n=24, all negative)">—</td>');
    expect(page).toContain('SENet IDH AUROC (patient): only one class present (n=24, all negative)');
    expect(page).toContain('mean (3/4)');
  });

  it('refuses two models that would share a folder', async () => {
    const a = makeResult(0);
    const r = await renderReport({ results: [a, { ...a, model: 'AlexNet2D ' }, { ...a, model: 'AlexNet2D_' }], histories: {}, outDir: dir });
    expect(r).toMatchObject({ ok: false, error: { kind: 'report-input' } });
  });
});
