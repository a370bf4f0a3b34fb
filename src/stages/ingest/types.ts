// What the ingest stages hand each other: small summaries as JSON, tables that grow with the cohort as Arrow (tables.ts).
import type { DicomRejection, SeriesGroup, SliceHeader } from '../../dicom/index.js';

export interface IndexedFile {
  header: SliceHeader;
  /** content hash of the file */
  hash: string;
}

export interface RejectedFile {
  file: string;
  reason: DicomRejection['reason'];
  message: string;
}

/** index.json: what the index found, in brief; the tables themselves are Arrow files (tables.ts). */
export interface IndexOutput {
  /** the raw root the paths are relative to (relative to the project root) */
  root: string;
  patients: string[];
  counts: { files: number; series: number; slices: number; rejected: number };
  /** output names of the tables */
  tables: { files: string; series: string; slices: string; rejected: string };
}

export interface SliceRatio {
  file: string;
  frame: number;
  ratio: number | null;
  threshold: number | null;
  /** why the slice has no ratio (decoding failed) */
  error?: string;
}

export interface SeriesRatios {
  series: string;
  slices: SliceRatio[];
}

/** cluster.json: the counts; the tables (one row per slice, the kept slices, the skipped series) are Arrow files. */
export interface ClusterOutput {
  root: string;
  counts: { slices: number; selectedSeries: number; keptSlices: number; skipped: number };
  /** output names of the tables */
  tables: { slices: string; selected: string; skipped: string };
}

/** A series that goes on to tensorize, with its kept slices in order (read from cluster's selected table). */
export interface SelectedSeries {
  series: string;
  patient: string;
  sequence: string;
  plane: string;
  rows: number;
  columns: number;
  kept: { file: string; frame: number; hash: string; index: number }[];
}
