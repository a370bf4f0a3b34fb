// Plots render to valid PNGs and to SVGs carrying their titles, axis titles and legend text.
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it, vi } from 'vitest';
import { aurocComparisonSpec, convergenceSpec, fontFiles, FONT_FAMILY, renderSpec, rocSpec } from '../../src/report/index.js';
import { readAdvanceTable, textWidth } from '../../src/report/text-width.js';
import { makeHistory, makeResult } from './make-results.js';
import { pngSize } from './png.js';

function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('no svg size');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** Text content of all <text> elements (Vega writes one per label/line, tspans for multi-line). */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<(?:text|tspan)[^>]*>([^<]*)(?=<)/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
}

async function rendered(name: string, spec: Parameters<typeof renderSpec>[1]) {
  const r = await renderSpec(name, spec);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('fonts', () => {
  it('come from the dejavu-fonts-ttf package, and resvg draws text with them (no system fonts)', () => {
    const f = fontFiles();
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="80"><text x="10" y="50" font-family="${FONT_FAMILY}" font-size="40">Hello World</text></svg>`;
    const withFonts = new Resvg(svg, { font: { fontFiles: f.files, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY } });
    const box = withFonts.getBBox();
    expect(box).toBeDefined();
    // Independent check of the advance widths Vega lays text out with: resvg's own shaping of the same font.
    // The ink box omits H's left and d's right side bearing (~0.1 em together), hence the tolerance.
    const w = textWidth(readAdvanceTable(f.files[0] as string), 'Hello World', 40);
    expect(box?.width).toBeGreaterThan(w * 0.93);
    expect(box?.width).toBeLessThan(w * 1.01);
    // Without any font, resvg draws no text at all: so text in our PNGs proves the fonts were loaded.
    const none = new Resvg(svg, { font: { loadSystemFonts: false } });
    expect(none.getBBox()).toBeUndefined();
  });
});

describe('renderSpec', () => {
  const results = [makeResult(0), makeResult(1, { dropIdhPositives: true }), makeResult(2)];

  it('convergence plot: PNG at 2× the SVG size, axis titles, panel headers and legend in the SVG', async () => {
    const p = await rendered('convergence', convergenceSpec('ViT', makeHistory(10), 7));
    const size = pngSize(p.png);
    expect(size).not.toBeNull();
    expect(size).toEqual({ width: p.width, height: p.height });
    const s = svgSize(p.svg);
    expect(p.width).toBe(Math.round(s.width * 2));
    expect(p.height).toBe(Math.round(s.height * 2));
    expect(p.width).toBeGreaterThan(1000);
    const texts = svgTexts(p.svg);
    for (const t of ['ViT: convergence', 'Epoch', 'Loss (BCE)', 'Accuracy', 'AUROC', 'train', 'validation', 'TP53', 'PTEN', 'EGFR', 'IDH'])
      expect(texts, t).toContain(t);
    expect(texts.some((t) => t.includes('best epoch 7'))).toBe(true);
  });

  it('ROC plot: AUROC with its CI in each panel title; an undefined label says why', async () => {
    const r = results[1];
    if (!r) throw new Error('fixture');
    const p = await rendered('roc', rocSpec(r));
    expect(pngSize(p.png)).toEqual({ width: p.width, height: p.height });
    const texts = svgTexts(p.svg);
    expect(texts).toContain('False positive rate (1 − specificity)');
    expect(texts).toContain('True positive rate (sensitivity)');
    const tp53 = r.evaluation.patient.perLabel[0]?.metrics.auroc;
    if (!tp53?.defined || !tp53.ci?.defined) throw new Error('fixture: TP53 AUROC with CI expected');
    expect(texts).toContain(`TP53: AUROC ${tp53.value.toFixed(2)}, 95% CI [${tp53.ci.low.toFixed(2)}, ${tp53.ci.high.toFixed(2)}]`);
    expect(texts).toContain('IDH: AUROC undefined');
    expect(texts).toContain('only one class present (n=24, all negative)');
  });

  it('cross-model AUROC plot: models in the legend, mutations on the axis', async () => {
    const p = await rendered('auroc', aurocComparisonSpec(results));
    expect(pngSize(p.png)).toEqual({ width: p.width, height: p.height });
    const texts = svgTexts(p.svg);
    for (const t of ['AlexNet2D', 'SENet', 'ViT', 'Model', 'Mutation', 'AUROC', 'TP53', 'IDH', 'Mean']) expect(texts, t).toContain(t);
    expect(texts.some((t) => t.includes('not shown (undefined): IDH for SENet'))).toBe(true);
  });

  it('collects Vega-Lite warnings instead of printing them; our own plots have none', async () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    const bad = await renderSpec('w', {
      data: { values: [{ a: 1 }] },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative', aggregate: 'nonsense' } },
    } as unknown as Parameters<typeof renderSpec>[1]);
    expect(bad.ok && bad.value.warnings.some((w) => w.includes('Invalid aggregation operator'))).toBe(true);
    for (const spec of [convergenceSpec('ViT', makeHistory(3), null), rocSpec(results[0] ?? makeResult(0)), aurocComparisonSpec(results)]) {
      const p = await rendered('x', spec);
      expect(p.warnings).toEqual([]);
    }
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    warn.mockRestore();
    log.mockRestore();
  });

  it('reports a spec Vega-Lite cannot compile as an error value', async () => {
    const r = await renderSpec('broken', { mark: 'nonsense' } as unknown as Parameters<typeof renderSpec>[1]);
    expect(r).toMatchObject({ ok: false, error: { kind: 'report-render', item: 'broken' } });
  });
});
