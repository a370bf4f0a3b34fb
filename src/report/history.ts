// history.csv (one row per epoch, written by training) → HistoryRow[] for the convergence plot.
import { parse } from 'csv-parse/sync';
import { err, ok, type GlioflowError, type Result } from '../engine/result.js';
import { LABELS } from '../metrics/types.js';
import type { HistoryRow, ModelResult } from './types.js';

const REQUIRED = ['epoch', 'train_loss', 'val_loss', 'seconds', 'images_per_s'] as const;
const PER_LABEL = LABELS.flatMap((l) => [`train_acc_${l}`, `train_auroc_${l}`, `val_acc_${l}`, `val_auroc_${l}`]);
/** Cells that mean "no value": a metric undefined that epoch (e.g. AUROC with one class in the split). */
const EMPTY = new Set(['', 'null', 'nan', 'none', 'na']);

/**
 * Parses history.csv. Columns may come in any order and extra columns are ignored; empty, `null`, `NaN`
 * cells become null except in `epoch` and `train_loss`, which every epoch has. `file` is for messages.
 */
export function parseHistoryCsv(text: string, file: string): Result<HistoryRow[], GlioflowError> {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (e) {
    return err({ kind: 'history-csv', message: `cannot parse CSV: ${e instanceof Error ? e.message : String(e)}`, location: { file } });
  }
  const first = records[0];
  if (!first) return ok([]);
  const missing = [...REQUIRED, ...PER_LABEL].filter((c) => !(c in first));
  if (missing.length > 0)
    return err({ kind: 'history-csv', message: `missing columns: ${missing.join(', ')}`, location: { file, line: 1 } });
  const rows: HistoryRow[] = [];
  for (let i = 0; i < records.length; i++) {
    const rec = records[i] as Record<string, string>;
    const row: Record<string, number | null> = {};
    for (const c of [...REQUIRED, ...PER_LABEL]) {
      const raw = (rec[c] ?? '').trim();
      if (EMPTY.has(raw.toLowerCase())) {
        if (c === 'epoch' || c === 'train_loss')
          return err({ kind: 'history-csv', message: `column ${c} is empty`, location: { file, line: i + 2 } });
        row[c] = null;
        continue;
      }
      const v = Number(raw);
      if (!Number.isFinite(v)) return err({ kind: 'history-csv', message: `column ${c}: '${raw}' is not a number`, location: { file, line: i + 2 } });
      row[c] = v;
    }
    rows.push(row as HistoryRow);
  }
  return ok(rows);
}

/** A structural check of a parsed results.json, so `glioflow show` can say which file is wrong and why. */
export function checkModelResult(value: unknown, file: string): Result<ModelResult, GlioflowError> {
  const fail = (message: string): { ok: false; error: GlioflowError } =>
    err({ kind: 'results-json', message, location: { file }, hint: 'rerun the evaluate stage to rewrite it' });
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const v = value as Record<string, unknown>;
  if (v.schema !== 'glioflow.model-result/1') return fail(`unknown schema ${JSON.stringify(v.schema)} (expected glioflow.model-result/1)`);
  if (typeof v.model !== 'string') return fail('model is not a string');
  for (const k of ['parameterCount', 'epochs'] as const) if (typeof v[k] !== 'number') return fail(`${k} is not a number`);
  if (typeof v.backend !== 'string') return fail('backend is not a string');
  const ev = v.evaluation as Record<string, unknown> | undefined;
  if (typeof ev !== 'object' || ev === null) return fail('evaluation missing');
  for (const level of ['slice', 'patient'] as const) {
    const lv = ev[level] as Record<string, unknown> | undefined;
    if (typeof lv !== 'object' || lv === null || !Array.isArray(lv.perLabel) || typeof lv.mean !== 'object')
      return fail(`evaluation.${level} is missing or malformed`);
  }
  return ok(value as ModelResult);
}
