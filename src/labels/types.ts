// Shared shapes of the labels library. Label order is fixed project-wide: TP53, PTEN, EGFR, IDH.
export const GENES = ['TP53', 'PTEN', 'EGFR', 'IDH'] as const;
export type Gene = (typeof GENES)[number];
export type Bit = 0 | 1;
export type LabelVector = [Bit, Bit, Bit, Bit];

export interface LabelRow {
  /** 12-character TCGA patient barcode (or whatever the source's patient id is). */
  patient: string;
  /** In GENES order. */
  labels: LabelVector;
}

export interface LabelTable {
  genes: readonly ['TP53', 'PTEN', 'EGFR', 'IDH'];
  /** One row per patient, in the order the source lists them first. */
  rows: LabelRow[];
  /** Things a person should know but that did not stop parsing (e.g. IDH built from IDH1 only). */
  warnings: string[];
  /** The file (or name) the table came from. */
  source: string;
}

export interface LabelMatch {
  /** Labelled patients that have MRI, sorted by patient id. */
  matched: LabelRow[];
  labelledWithoutMri: string[];
  mriWithoutLabels: string[];
  counts: { labelled: number; withMri: number; matched: number };
  /** Summaries of the two unmatched lists (warnings, never errors). */
  warnings: string[];
}
