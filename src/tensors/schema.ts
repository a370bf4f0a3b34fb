// The Arrow layout of a tensor shard, and the metadata every shard carries so that a shard is self-describing.
import { Field, FixedSizeList, Float32, Int32, Schema, Uint8, Utf8 } from 'apache-arrow';
import type { Split } from '../splits/index.js';

export const SHARD_FORMAT = 'glioflow.tensors';
export const SHARD_VERSION = 1;
import { GENES } from '../labels/types.js';

export const LABEL_ORDER = GENES;
export const NORMALISATION =
  'per-slice z-score (x - mean) / std, population std (ddof 0), std 0 -> all zeros; then bilinear resize to size x size (PyTorch align_corners=False, no antialias)';

/** One record batch of a shard: all its rows belong to one patient (so to one split and fold). */
export interface BatchIndexEntry {
  patient: string;
  split: Split;
  fold: number | null;
  rows: number;
}

/** Stored as JSON under the schema metadata key `glioflow.tensors`. */
export interface ShardMetadata {
  format: typeof SHARD_FORMAT;
  version: number;
  size: number;
  /** Pixel storage type. float32: see src/tensors/README.md for the float16 measurement. */
  dtype: 'float32';
  labelOrder: readonly string[];
  normalisation: string;
  /** k of the k-fold assignment in the `fold` column, or null. */
  folds: number | null;
  /** Caller's parameters (preprocessing settings, source hashes, …), recorded as given. */
  params: Record<string, unknown>;
  /** Record batches in file order: lets a reader skip batches of other splits without reading pixels. */
  batches: BatchIndexEntry[];
}

export function shardSchema(size: number, metadata: ShardMetadata): Schema {
  const fields = [
    new Field('patient', new Utf8(), false),
    new Field('series', new Utf8(), false),
    new Field('sequence', new Utf8(), false),
    new Field('plane', new Utf8(), false),
    new Field('slice', new Int32(), false),
    new Field('split', new Utf8(), false),
    new Field('fold', new Int32(), true),
    ...LABEL_ORDER.map((g) => new Field(g, new Uint8(), false)),
    new Field('pixels', new FixedSizeList(size * size, new Field('item', new Float32(), false)), false),
  ];
  return new Schema(fields, new Map([[SHARD_FORMAT, JSON.stringify(metadata)]]));
}
