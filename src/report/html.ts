// report.html: one self-contained file (PNGs inlined as data URIs, CSS inline, no scripts, no network), so it
// can be mailed, archived or opened offline and always shows the same thing.
import { countText, NA } from './format.js';
import type { RenderedPlot } from './render.js';
import { cellText, notesOf, summarise, TABLE_COLUMNS, type ResultsSummary, type SummaryValue } from './table.js';
import type { ModelResult } from './types.js';

export interface ReportPlot {
  plot: RenderedPlot;
  /** model the plot belongs to; null for cross-model plots */
  model: string | null;
  title: string;
  /** paths of the written files relative to report.html, for links */
  files?: { vl: string; svg: string; png: string };
}

export interface ReportHtmlOptions {
  title?: string;
  /** shown in the header; pass it in so the same inputs give the same file */
  generatedAt?: string;
  /** models whose history was missing, and similar notes to show */
  notes?: readonly string[];
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
h3{font-size:1.1rem;margin-top:1.5rem} .meta{color:#555;font-size:.9rem}
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0} th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right;white-space:nowrap}
th{background:#f3f3f3} td.l,th.l{text-align:left} tr.mean td{font-style:italic;background:#fafafa}
figure{margin:1rem 0} figure img{max-width:100%;height:auto;border:1px solid #eee} figcaption{font-size:.85rem;color:#555}
ul.notes{font-size:.85rem;color:#555} code{font-size:.85rem}
`;

function cell(v: SummaryValue, ci: boolean): string {
  const text = cellText(v, ci);
  return v.note ? `<td title="${escapeHtml(v.note)}">${escapeHtml(text)}</td>` : `<td>${escapeHtml(text)}</td>`;
}

/** The cross-model table: a row per model and mutation (patient level) plus the mean over labels. */
export function resultsTableHtml(summaries: readonly ResultsSummary[]): string {
  const head = ['Model', 'Parameters', 'Backend', 'Epochs', 'Best epoch', 'Mutation', 'Pos / N patients', ...TABLE_COLUMNS.map((c) => c.head)];
  const rows: string[] = [];
  for (const s of summaries) {
    const span = s.labels.length + 1;
    s.labels.forEach((l, i) => {
      const lead =
        i === 0
          ? `<td class="l" rowspan="${span}">${escapeHtml(s.model)}</td><td rowspan="${span}" title="${s.parameterCount}">${countText(s.parameterCount)}</td>` +
            `<td class="l" rowspan="${span}">${escapeHtml(s.backend)}</td><td rowspan="${span}">${s.epochs}</td><td rowspan="${span}">${s.bestEpoch ?? NA}</td>`
          : '';
      rows.push(`<tr>${lead}<td class="l">${escapeHtml(l.label)}</td><td>${l.positivePatients} / ${l.patients}</td>${TABLE_COLUMNS.map((c) => cell(l[c.level][c.key], c.ci)).join('')}</tr>`);
    });
    const m = s.mean.patient.auroc;
    rows.push(`<tr class="mean"><td class="l">mean (${m.over}/${m.of})</td><td></td>${TABLE_COLUMNS.map((c) => cell(s.mean[c.level][c.key], c.ci)).join('')}</tr>`);
  }
  return `<table class="results">\n<thead><tr>${head.map((h, k) => `<th${k < 3 || k === 5 ? ' class="l"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

function figure(p: ReportPlot): string {
  const src = `data:image/png;base64,${p.plot.png.toString('base64')}`;
  // The PNG is rendered at 2× for sharpness; show it at its design size.
  const w = Math.round(p.plot.width / 2);
  const links = p.files
    ? ` Files: <a href="${escapeHtml(p.files.png)}">PNG</a> · <a href="${escapeHtml(p.files.svg)}">SVG</a> · <a href="${escapeHtml(p.files.vl)}">Vega-Lite spec</a>`
    : '';
  return `<figure><img src="${src}" width="${w}" alt="${escapeHtml(p.title)}"><figcaption>${escapeHtml(p.title)}.${links}</figcaption></figure>`;
}

export function reportHtml(results: readonly ModelResult[], plots: readonly ReportPlot[], opts: ReportHtmlOptions = {}): string {
  const summaries = results.map(summarise);
  const title = opts.title ?? 'glioflow: mutation prediction from MRI';
  const notes = [...summaries.flatMap(notesOf), ...(opts.notes ?? [])];
  const options = results[0]?.evaluation.options;
  const method = options
    ? `Patient level: slice probabilities fused by <code>${escapeHtml(options.fusion)}</code>. 95% confidence intervals: percentile bootstrap resampling patients (${options.bootstrap} resamples, seed ${options.seed}). Decision threshold ${options.threshold} for accuracy, balanced accuracy, sensitivity and specificity. “Slice acc” is accuracy over slices, the original project's metric. mean (k/4): labels with a defined AUROC; each column averages the labels where its metric is defined. Hover a “${NA}” for the reason.`
    : '';
  const parts: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">${results.length} model${results.length === 1 ? '' : 's'} · labels TP53, PTEN, EGFR, IDH${opts.generatedAt ? ` · generated ${escapeHtml(opts.generatedAt)}` : ''}</p>`,
    '<h2 id="results">Results</h2>',
    `<p class="meta">${method}</p>`,
    resultsTableHtml(summaries),
  ];
  if (notes.length) parts.push(`<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  const cross = plots.filter((p) => p.model === null);
  if (cross.length) parts.push('<h2 id="comparison">Comparison across models</h2>', ...cross.map(figure));
  for (const r of results) {
    parts.push(`<h2 id="model-${escapeHtml(r.model)}">${escapeHtml(r.model)}</h2>`);
    parts.push(
      `<p class="meta">${r.parameterCount.toLocaleString('en-US')} parameters · backend ${escapeHtml(r.backend)} · ${r.epochs} epochs run · best epoch ${r.bestEpoch ?? NA}${r.bestBy ? ` (by ${escapeHtml(r.bestBy)})` : ''} · split ${escapeHtml(r.split)}<br>` +
        `cache keys: ${Object.entries(r.cacheKeys).map(([k, v]) => `${escapeHtml(k)} <code>${escapeHtml(v)}</code>`).join(', ')}<br>` +
        `params: <code>${escapeHtml(JSON.stringify(r.params))}</code></p>`,
    );
    const own = plots.filter((p) => p.model === r.model);
    if (own.length === 0) parts.push('<p class="meta">No plots for this model.</p>');
    parts.push(...own.map(figure));
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}
