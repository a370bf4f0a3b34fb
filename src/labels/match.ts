// Joins a label table with the patients that have MRI. Either side missing the other is a warning:
// TCGA labels cover more patients than TCIA has MRI for, and some MRI patients were never sequenced.
import type { LabelMatch, LabelTable } from './types.js';

export function matchLabels(table: LabelTable, mriPatients: readonly string[]): LabelMatch {
  const mri = new Set(mriPatients.map((p) => p.trim()).filter((p) => p !== ''));
  const labelled = new Set(table.rows.map((r) => r.patient));
  const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const matched = table.rows.filter((r) => mri.has(r.patient)).sort((a, b) => byId(a.patient, b.patient));
  const labelledWithoutMri = [...labelled].filter((p) => !mri.has(p)).sort(byId);
  const mriWithoutLabels = [...mri].filter((p) => !labelled.has(p)).sort(byId);
  const warnings: string[] = [];
  const preview = (xs: string[]): string => xs.slice(0, 5).join(', ') + (xs.length > 5 ? `, … (${xs.length - 5} more)` : '');
  if (labelledWithoutMri.length > 0) warnings.push(`${labelledWithoutMri.length} labelled patients have no MRI: ${preview(labelledWithoutMri)}`);
  if (mriWithoutLabels.length > 0) warnings.push(`${mriWithoutLabels.length} MRI patients have no labels in ${table.source}: ${preview(mriWithoutLabels)}`);
  return {
    matched,
    labelledWithoutMri,
    mriWithoutLabels,
    counts: { labelled: labelled.size, withMri: mri.size, matched: matched.length },
    warnings,
  };
}
