// What the ingest stages hand each other (JSON outputs in the cache).
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

export interface IndexOutput {
  /** the raw root the paths are relative to (relative to the project root) */
  root: string;
  files: IndexedFile[];
  series: SeriesGroup[];
  rejected: RejectedFile[];
  patients: string[];
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

export interface ClusteredSlice {
  file: string;
  frame: number;
  hash: string;
  patient: string;
  series: string;
  sequence: string;
  plane: string;
  ratio: number | null;
  cluster_rank: number | null;
  kept: boolean;
}

export interface ClusterOutput {
  root: string;
  slices: ClusteredSlice[];
  skipped: { series: string; reason: string }[];
  /** series that go on to tensorize, with their kept slices in order */
  selected: { series: string; patient: string; sequence: string; plane: string; rows: number; columns: number; kept: { file: string; frame: number; hash: string; index: number }[] }[];
}
