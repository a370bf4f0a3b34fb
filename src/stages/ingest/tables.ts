// The columns of the ingest stages' Arrow tables (stage outputs that grow with the cohort: one row per file, slice or
// series). Names are the CSV export's where a column is exported; a table is written and read with these
// declarations only, so a writer and its readers cannot disagree.
import { bool, columns, f64, f64Null, i32, i32Null, utf8, utf8Null } from '../../tables/arrow.js';

/** index: files.arrow, one row per DICOM file (every header field kept; vectors as backslash-joined text). */
export const FILE_COLUMNS = columns({
  file: utf8,
  hash: utf8,
  patient: utf8,
  study_uid: utf8,
  series_uid: utf8,
  sop_uid: utf8,
  series_number: f64Null,
  instance_number: f64Null,
  description: utf8,
  modality: utf8,
  position: utf8Null,
  orientation: utf8Null,
  plane: utf8,
  rows: i32,
  columns: i32,
  pixel_spacing: utf8Null,
  frames: i32,
  bits_allocated: i32,
  bits_stored: i32,
  signed: i32,
  samples_per_pixel: i32,
  photometric: utf8,
  rescale_slope: f64,
  rescale_intercept: f64,
  transfer_syntax: utf8,
  tr: f64Null,
  te: f64Null,
  ti: f64Null,
  contrast_agent: utf8Null,
  scanning_sequence: utf8Null,
});

/** index: series.arrow, one row per series stack, in the order of their first file. */
export const SERIES_COLUMNS = columns({
  series: utf8,
  patient: utf8,
  study_uid: utf8,
  series_uid: utf8,
  description: utf8,
  sequence: utf8,
  plane: utf8,
  rows: i32,
  columns: i32,
  slices: i32,
});

/** index: slices.arrow, one row per slice (frame), series after series as in series.arrow, ordered along the normal. */
export const SLICE_COLUMNS = columns({
  series: utf8,
  file: utf8,
  frame: i32,
  /** position along the plane normal (mm) */
  position: f64,
  /** the slice's index in its series */
  index: i32,
  /** content hash of the file */
  hash: utf8,
});

/** index: rejected.arrow, one row per file that is not a usable DICOM image. */
export const REJECTED_COLUMNS = columns({ file: utf8, reason: utf8, message: utf8 });

/** ratios: ratios.arrow, one row per slice, in slices.arrow's order. */
export const RATIO_COLUMNS = columns({
  series: utf8,
  file: utf8,
  frame: i32,
  ratio: f64Null,
  threshold: f64Null,
  error: utf8Null,
});

/** cluster: cluster.arrow, one row per slice (the `cluster.csv` export, plus the file's hash). */
export const CLUSTER_COLUMNS = columns({
  file: utf8,
  frame: i32,
  hash: utf8,
  patient: utf8,
  series: utf8,
  sequence: utf8,
  plane: utf8,
  ratio: f64Null,
  cluster_rank: i32Null,
  kept: bool,
});

/** cluster: selected.arrow, one row per kept slice of a series that goes on to tensorize, series after series. */
export const SELECTED_COLUMNS = columns({
  series: utf8,
  patient: utf8,
  sequence: utf8,
  plane: utf8,
  rows: i32,
  columns: i32,
  file: utf8,
  frame: i32,
  hash: utf8,
  /** the slice's index in its series */
  index: i32,
});

/** cluster: skipped.arrow, one row per series that could not be clustered. */
export const SKIPPED_COLUMNS = columns({ series: utf8, reason: utf8 });

/** A header's vector (position, orientation, spacing) as the text the CSV export has always written: `a\\b\\c`. */
export const vectorText = (v: readonly number[] | null | undefined): string | null => (v ? v.join('\\') : null);
