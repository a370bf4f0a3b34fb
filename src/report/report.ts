// Renders every plot and writes report.html: the library behind the `plot` stage.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { err, ok, type GlioflowError, type Result } from '../engine/result.js';
import { reportHtml, type ReportPlot } from './html.js';
import { resultsCsv } from './table.js';
import { renderSpec, writePlot, type RenderOptions } from './render.js';
import { aurocComparisonSpec, convergenceSpec, rocSpec } from './specs.js';
import type { HistoryRow, ModelResult } from './types.js';

export interface ReportInput {
  results: readonly ModelResult[];
  /** training history per model name; a model without one gets no convergence plot (and a note) */
  histories: Readonly<Record<string, readonly HistoryRow[]>>;
  /** where report.html and the plots go, e.g. `<project>/experiments` */
  outDir: string;
  title?: string;
  generatedAt?: string;
  render?: RenderOptions;
}

export interface WrittenPlot {
  name: string;
  model: string | null;
  /** absolute paths */
  vl: string;
  svg: string;
  png: string;
  width: number;
  height: number;
}

export interface ReportFiles {
  html: string;
  /** comparison/results.csv: every model's metrics with CIs, long format */
  table: string;
  plots: WrittenPlot[];
  notes: string[];
}

/** A model name as a folder name: keeps letters, digits, `-_.`, replaces the rest. */
export function safeName(model: string): string {
  const s = model.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return s === '' ? '_' : s;
}

/** Folder of a model's plots, like the original project: `<outDir>/<Model>/plots`. */
export const modelPlotDir = (outDir: string, model: string): string => join(outDir, safeName(model), 'plots');

interface PlotJob {
  name: string;
  model: string | null;
  title: string;
  dir: string;
  spec: Parameters<typeof renderSpec>[1];
}

export async function renderReport(input: ReportInput): Promise<Result<ReportFiles, GlioflowError>> {
  const { results, histories, outDir } = input;
  const names = new Map<string, string>();
  for (const r of results) {
    const prev = names.get(safeName(r.model));
    if (prev !== undefined)
      return err({ kind: 'report-input', message: `models ${prev} and ${r.model} would share the folder ${safeName(r.model)}`, item: r.model });
    names.set(safeName(r.model), r.model);
  }
  const notes: string[] = [];
  const jobs: PlotJob[] = [];
  if (results.length > 0)
    jobs.push({ name: 'auroc-by-model', model: null, title: 'Patient-level AUROC per mutation with 95% CI, by model', dir: join(outDir, 'comparison'), spec: aurocComparisonSpec(results) });
  for (const r of results) {
    const dir = modelPlotDir(outDir, r.model);
    const history = histories[r.model];
    if (history && history.length > 0)
      jobs.push({ name: 'convergence', model: r.model, title: `${r.model}: loss, accuracy and AUROC by epoch, train vs validation`, dir, spec: convergenceSpec(r.model, history, r.bestEpoch) });
    else notes.push(`${r.model}: no training history, so no convergence plot`);
    jobs.push({ name: 'roc', model: r.model, title: `${r.model}: patient-level ROC curves by mutation`, dir, spec: rocSpec(r, 'patient') });
  }

  const plots: ReportPlot[] = [];
  const written: WrittenPlot[] = [];
  // One at a time: rendering is CPU-bound and the machine is shared.
  for (const job of jobs) {
    const rendered = await renderSpec(job.name, job.spec, input.render);
    if (!rendered.ok) return err({ ...rendered.error, item: job.model ? `${job.model}/${job.name}` : job.name });
    const paths = await writePlot(job.dir, rendered.value);
    if (!paths.ok) return paths;
    const rel = (p: string): string => relative(outDir, p).split('\\').join('/');
    plots.push({ plot: rendered.value, model: job.model, title: job.title, files: { vl: rel(paths.value.vl), svg: rel(paths.value.svg), png: rel(paths.value.png) } });
    written.push({ name: job.name, model: job.model, ...paths.value, width: rendered.value.width, height: rendered.value.height });
  }

  const html = join(outDir, 'report.html');
  const csv = join(outDir, 'comparison', 'results.csv');
  try {
    await mkdir(join(outDir, 'comparison'), { recursive: true });
    await writeFile(csv, resultsCsv(results));
    const opts = { notes, ...(input.title !== undefined ? { title: input.title } : {}), ...(input.generatedAt !== undefined ? { generatedAt: input.generatedAt } : {}) };
    await writeFile(html, reportHtml(results, plots, opts));
  } catch (e) {
    return err({ kind: 'report-write', message: `could not write the report: ${e instanceof Error ? e.message : String(e)}`, location: { file: html } });
  }
  return ok({ html, table: csv, plots: written, notes });
}
