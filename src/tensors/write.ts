// Writes tensor rows to Arrow IPC file-format shards (see layout.ts for which rows go where, schema.ts for columns).
// Memory: one shard's rows at a time (≈ shardMb), pulled lazily from each patient's `rows()`.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Field, FixedSizeList, Float32, Int32, makeData, RecordBatch, Struct, Table, tableToIPC, Uint8, Utf8, vectorFromArray, type Data } from 'apache-arrow';
import { err, ok, type Result } from '../engine/result.js';
import type { Split } from '../splits/index.js';
import { planShards, type PlannedShard } from './layout.js';
import { LABEL_ORDER, NORMALISATION, SHARD_FORMAT, SHARD_VERSION, shardSchema, type BatchIndexEntry, type ShardMetadata } from './schema.js';

export interface SliceRow {
  series: string;
  sequence: string;
  plane: string;
  /** Index of the slice along its series. */
  slice: number;
  /** size×size, row-major, already normalised and resized. */
  pixels: Float32Array;
}

export interface PatientRows {
  patient: string;
  split: Split;
  /** Test fold (k-fold), or null. */
  fold: number | null;
  /** 0/1 in label order TP53, PTEN, EGFR, IDH. */
  labels: readonly number[];
  /** How many rows rows() yields: lets the layout be planned before any pixels are read. */
  rowCount: number;
  /** The patient's rows in a stable order (series, then slice); may be called more than once. */
  rows: () => Iterable<SliceRow> | AsyncIterable<SliceRow>;
}

export interface WriteShardsOptions {
  /** Directory to write into (created if missing). */
  dir: string;
  /** Side of the square slices. */
  size: number;
  /** Target shard size in MiB (default 64). */
  shardMb?: number;
  /** k of the fold column, or null/absent. */
  folds?: number | null;
  /** Recorded in every shard's metadata as given (keep it stable: it is part of the bytes). */
  params?: Record<string, unknown>;
  /** Delete `*.arrow` shard files in dir that this layout did not write (stale parts/runs). Default false. */
  prune?: boolean;
  /** Rows per record batch at most (default: what fits in 4 MiB); the reader's unit of reading. */
  batchRows?: number;
}

export interface ShardInfo {
  /** Path of the file (dir joined with its name). */
  file: string;
  patients: string[];
  rows: number;
  bytes: number;
}

export async function writeShards(rowsByPatient: readonly PatientRows[], options: WriteShardsOptions): Promise<Result<ShardInfo[]>> {
  const { dir, size } = options;
  if (!(Number.isInteger(size) && size > 0)) return err({ kind: 'tensors.options', message: `size must be a positive integer, got ${size}` });
  const rowBytes = size * size * 4;
  const target = Math.max(1, (options.shardMb ?? 64) * 2 ** 20);
  const batchRows = Math.max(1, options.batchRows ?? Math.floor((4 * 2 ** 20) / rowBytes));
  const byId = new Map<string, PatientRows>();
  for (const p of rowsByPatient) {
    if (byId.has(p.patient)) return err({ kind: 'tensors.duplicate-patient', message: `patient ${p.patient} given twice`, item: p.patient });
    if (p.labels.length !== LABEL_ORDER.length) return err({ kind: 'tensors.labels', message: `patient ${p.patient} has ${p.labels.length} labels, expected ${LABEL_ORDER.length}`, item: p.patient });
    byId.set(p.patient, p);
  }
  const plan = planShards([...byId.values()], rowBytes, target);
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    return err({ kind: 'tensors.write', message: `cannot create shard directory: ${(e as Error).message}`, location: { file: dir } });
  }
  const infos: ShardInfo[] = [];
  for (const shard of plan) {
    const built = await buildShard(shard, byId, size, batchRows, options);
    if (!built.ok) return built;
    const file = join(dir, shard.file);
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      // Write then rename: a reader never sees half a shard.
      await writeFile(tmp, built.value);
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      return err({ kind: 'tensors.write', message: `cannot write shard: ${(e as Error).message}`, location: { file } });
    }
    infos.push({ file, patients: shard.patients, rows: shard.rows, bytes: built.value.byteLength });
  }
  if (options.prune) {
    const keep = new Set(plan.map((s) => s.file));
    for (const name of await readdir(dir)) {
      if (/^(run|patient)-.*\.arrow$/.test(name) && !keep.has(name)) await rm(join(dir, name), { force: true });
    }
  }
  return ok(infos);
}

async function buildShard(shard: PlannedShard, byId: Map<string, PatientRows>, size: number, batchRows: number, options: WriteShardsOptions): Promise<Result<Uint8Array>> {
  const n = size * size;
  const chunks: { p: PatientRows; rows: SliceRow[] }[] = [];
  for (const id of shard.patients) {
    const p = byId.get(id)!;
    const start = shard.part?.rowStart ?? 0;
    const end = shard.part?.rowEnd ?? p.rowCount;
    let i = 0;
    let cur: SliceRow[] = [];
    for await (const row of p.rows()) {
      if (i >= start && i < end) {
        if (row.pixels.length !== n) {
          return err({ kind: 'tensors.pixels', message: `slice has ${row.pixels.length} pixels, expected ${size}×${size}`, item: `${p.patient} ${row.series} slice ${row.slice}` });
        }
        cur.push(row);
        if (cur.length === batchRows) {
          chunks.push({ p, rows: cur });
          cur = [];
        }
      }
      i++;
    }
    if (i !== p.rowCount) return err({ kind: 'tensors.row-count', message: `patient ${p.patient}: rows() gave ${i} rows, rowCount says ${p.rowCount}`, item: p.patient });
    if (cur.length > 0) chunks.push({ p, rows: cur });
  }
  const batchesIndex: BatchIndexEntry[] = chunks.map(({ p, rows }) => ({ patient: p.patient, split: p.split, fold: p.fold, rows: rows.length }));
  const metadata: ShardMetadata = {
    format: SHARD_FORMAT,
    version: SHARD_VERSION,
    size,
    dtype: 'float32',
    labelOrder: LABEL_ORDER,
    normalisation: NORMALISATION,
    folds: options.folds ?? null,
    params: options.params ?? {},
    batches: batchesIndex,
  };
  const schema = shardSchema(size, metadata);
  const batches = chunks.map(({ p, rows }) => {
    const len = rows.length;
    const pixels = new Float32Array(len * n);
    rows.forEach((r, j) => pixels.set(r.pixels, j * n));
    const str = (v: string[]): Data => vectorFromArray(v, new Utf8()).data[0]!;
    const children: Data[] = [
      str(rows.map(() => p.patient)),
      str(rows.map((r) => r.series)),
      str(rows.map((r) => r.sequence)),
      str(rows.map((r) => r.plane)),
      makeData({ type: new Int32(), length: len, data: Int32Array.from(rows, (r) => r.slice) }),
      str(rows.map(() => p.split)),
      vectorFromArray(rows.map(() => p.fold), new Int32()).data[0]!,
      ...LABEL_ORDER.map((_, j) => makeData({ type: new Uint8(), length: len, data: new Uint8Array(len).fill(p.labels[j] ? 1 : 0) })),
      makeData({
        type: new FixedSizeList(n, new Field('item', new Float32(), false)),
        length: len,
        nullCount: 0,
        child: makeData({ type: new Float32(), length: len * n, data: pixels }),
      }),
    ];
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: len, nullCount: 0, children }));
  });
  return ok(tableToIPC(new Table(schema, batches), 'file'));
}
