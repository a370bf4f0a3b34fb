// The cross-model results table: one summary model, three renderings (terminal text for `glioflow show`,
// HTML for the report, CSV in experiments/comparison/ for spreadsheets), plus JSON for scripts.
import { stringify } from 'csv-stringify/sync';
import type { ConfidenceInterval, LabelEvaluation, MeanEstimate, MetricEstimate, MetricName } from '../metrics/types.js';
import { countText, NA } from './format.js';
import type { ModelResult } from './types.js';

export interface SummaryValue {
  value: number | null;
  low: number | null;
  high: number | null;
  /** why value (or the interval) is missing */
  note?: string;
}

export interface SummaryLabelRow {
  label: string;
  patients: number;
  positivePatients: number;
  patient: Record<MetricName, SummaryValue>;
  slice: Record<MetricName, SummaryValue>;
}

export interface ResultsSummary {
  model: string;
  parameterCount: number;
  backend: string;
  epochs: number;
  bestEpoch: number | null;
  split: string;
  fusion: string;
  bootstrap: number;
  labels: SummaryLabelRow[];
  /** mean over labels where defined; `over` says how many */
  mean: { patient: Record<MetricName, SummaryValue & { over: number; of: number }>; slice: Record<MetricName, SummaryValue & { over: number; of: number }> };
}

const METRIC_NAMES: readonly MetricName[] = ['accuracy', 'auroc', 'auprc', 'balancedAccuracy', 'sensitivity', 'specificity', 'f1'];

function fromCi(ci: ConfidenceInterval | null): Pick<SummaryValue, 'low' | 'high'> & { note?: string } {
  if (!ci) return { low: null, high: null };
  if (!ci.defined) return { low: null, high: null, note: `CI: ${ci.reason}` };
  return { low: ci.low, high: ci.high };
}

function summaryOf(e: MetricEstimate): SummaryValue {
  return e.defined ? { value: e.value, ...fromCi(e.ci) } : { value: null, low: null, high: null, note: e.reason };
}

function meanOf(e: MeanEstimate): SummaryValue & { over: number; of: number } {
  return e.defined
    ? { value: e.value, ...fromCi(e.ci), over: e.over, of: e.of }
    : { value: null, low: null, high: null, note: e.reason, over: 0, of: e.of };
}

const perMetric = <T>(f: (m: MetricName) => T): Record<MetricName, T> =>
  Object.fromEntries(METRIC_NAMES.map((m) => [m, f(m)])) as Record<MetricName, T>;

export function summarise(r: ModelResult): ResultsSummary {
  const { patient, slice } = r.evaluation;
  const sliceByLabel = new Map(slice.perLabel.map((l) => [l.label, l]));
  return {
    model: r.model,
    parameterCount: r.parameterCount,
    backend: r.backend,
    epochs: r.epochs,
    bestEpoch: r.bestEpoch,
    split: r.split,
    fusion: r.evaluation.options.fusion,
    bootstrap: r.evaluation.options.bootstrap,
    labels: patient.perLabel.map((pl) => {
      const sl = sliceByLabel.get(pl.label) as LabelEvaluation | undefined;
      return {
        label: pl.label,
        patients: pl.patients,
        positivePatients: pl.positivePatients,
        patient: perMetric((m) => summaryOf(pl.metrics[m])),
        slice: perMetric((m) => (sl ? summaryOf(sl.metrics[m]) : { value: null, low: null, high: null, note: 'no slice-level result' })),
      };
    }),
    mean: { patient: perMetric((m) => meanOf(patient.mean[m])), slice: perMetric((m) => meanOf(slice.mean[m])) },
  };
}

/** Column layout shared by the text and HTML tables: patient level unless the header says slice. */
export const TABLE_COLUMNS = [
  { key: 'auroc', level: 'patient', head: 'AUROC [95% CI]', ci: true },
  { key: 'auprc', level: 'patient', head: 'AUPRC', ci: false },
  { key: 'accuracy', level: 'patient', head: 'Acc@0.5', ci: false },
  { key: 'balancedAccuracy', level: 'patient', head: 'Bal.acc', ci: false },
  { key: 'sensitivity', level: 'patient', head: 'Sens', ci: false },
  { key: 'specificity', level: 'patient', head: 'Spec', ci: false },
  { key: 'accuracy', level: 'slice', head: 'Slice acc', ci: false },
] as const satisfies readonly { key: MetricName; level: 'patient' | 'slice'; head: string; ci: boolean }[];

export function cellText(v: SummaryValue, ci: boolean): string {
  if (v.value === null) return NA;
  return ci && v.low !== null && v.high !== null ? `${v.value.toFixed(2)} [${v.low.toFixed(2)}, ${v.high.toFixed(2)}]` : v.value.toFixed(2);
}

/** Undefined values, with their reasons, for footnotes: `ViT IDH AUROC: only one class present (n=24, all negative)`. */
export function notesOf(s: ResultsSummary): string[] {
  const notes: string[] = [];
  for (const l of s.labels) {
    for (const c of TABLE_COLUMNS) {
      const v = l[c.level][c.key];
      if (v.note) notes.push(`${s.model} ${l.label} ${c.head.replace(' [95% CI]', '')}${c.level === 'slice' ? '' : ' (patient)'}: ${v.note}`);
    }
  }
  return [...new Set(notes)];
}

/**
 * The table `glioflow show` prints: one block per model, a row per mutation plus the mean over labels.
 * With `json: true`, the summaries as JSON (for scripts; numbers unrounded, null where undefined).
 */
export function formatResultsTable(results: readonly ModelResult[], opts: { json: boolean }): string {
  const summaries = results.map(summarise);
  if (opts.json) return `${JSON.stringify(summaries, null, 2)}\n`;
  if (summaries.length === 0) return 'no model results yet\n';
  const head = ['Mutation', 'Pos/N', ...TABLE_COLUMNS.map((c) => c.head)];
  const blocks = summaries.map((s) => {
    const rows = s.labels.map((l) => [l.label, `${l.positivePatients}/${l.patients}`, ...TABLE_COLUMNS.map((c) => cellText(l[c.level][c.key], c.ci))]);
    rows.push([`mean (${s.mean.patient.auroc.over}/${s.mean.patient.auroc.of})`, '', ...TABLE_COLUMNS.map((c) => cellText(s.mean[c.level][c.key], c.ci))]);
    const best = s.bestEpoch === null ? 'last epoch kept' : `best epoch ${s.bestEpoch}`;
    return { title: `${s.model} · ${countText(s.parameterCount)} parameters · ${s.backend} · ${s.epochs} epochs, ${best}`, rows };
  });
  const all = blocks.flatMap((b) => b.rows);
  const widths = head.map((h, k) => Math.max(h.length, ...all.map((r) => (r[k] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, k) => c.padEnd(widths[k] ?? 0)).join('  ').trimEnd();
  const first = summaries[0] as ResultsSummary;
  const setup = (s: ResultsSummary): string => `split ${s.split}, slice probabilities fused by ${s.fusion}; 95% CI: percentile bootstrap over patients, ${s.bootstrap} resamples`;
  // Say the set-up once when all models share it, else in each model's title line.
  const shared = summaries.every((s) => setup(s) === setup(first));
  if (!shared) blocks.forEach((b, i) => (b.title += ` (${setup(summaries[i] as ResultsSummary)})`));
  const out = [
    shared ? `Patient level (${setup(first)}).` : 'Patient level.',
    `Slice acc: accuracy at 0.5 over slices, the original project's metric. mean (k/4): k labels with a defined AUROC; each column averages the labels where its metric is defined.`,
  ];
  for (const b of blocks) out.push('', b.title, line(head), line(widths.map((w) => '-'.repeat(w))), ...b.rows.map(line));
  const notes = summaries.flatMap(notesOf);
  if (notes.length) out.push('', `${NA} undefined:`, ...notes.map((n) => `  ${n}`));
  return `${out.join('\n')}\n`;
}

/**
 * experiments/comparison/results.csv: one row per model, level (patient, slice), label (and the
 * mean over labels) and metric, with the 95% CI; empty cells where a value is undefined, and why.
 */
export function resultsCsv(results: readonly ModelResult[]): string {
  const rows: (string | number | null)[][] = [];
  for (const s of results.map(summarise)) {
    for (const level of ['patient', 'slice'] as const) {
      for (const l of s.labels) {
        for (const m of METRIC_NAMES) {
          const v = l[level][m];
          rows.push([s.model, level, l.label, l.patients, l.positivePatients, m, v.value, v.low, v.high, v.note ?? '']);
        }
      }
      for (const m of METRIC_NAMES) {
        const v = s.mean[level][m];
        rows.push([s.model, level, `mean (${v.over}/${v.of})`, null, null, m, v.value, v.low, v.high, v.note ?? '']);
      }
    }
  }
  return stringify(rows, { header: true, columns: ['model', 'level', 'label', 'patients', 'positive_patients', 'metric', 'value', 'ci_low', 'ci_high', 'note'] });
}
