// Streaming, shuffled reader over tensor shards. It never loads the cohort: it keeps `interleave` shard files open
// (file handles only), reads ONE record batch (≤ 4 MiB by default, one patient's rows) at a time from a randomly
// chosen open shard into one reused read buffer, copies the matching rows into a fixed slab (the shuffle buffer),
// and emits random rows from it. Peak memory ≈ (shuffleRows + batchSize) rows + one record batch + the output
// batch the caller holds, whatever the cohort size.
//
// Randomness is seeded per (seed, epoch): the same call gives the same batches; another epoch another order.
// Errors inside the iteration (bad options, a corrupt shard) are thrown as GlioflowFailure: an async iterator has
// no other way out.
// The shuffle is local (as in tf.data / WebDataset): a row can only meet rows of the `interleave` shards open at
// the same time and rows within `shuffleRows` of it; shard and record-batch order are themselves shuffled.
import { open, type FileHandle } from 'node:fs/promises';
import { RecordBatchReader, Schema, Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { err, GlioflowFailure, ok, type Result } from '../engine/result.js';
import { splitInFold, type Split } from '../splits/index.js';
import { epochRng, shuffleInPlace } from './rng.js';
import { LABEL_ORDER, SHARD_FORMAT, SHARD_VERSION, type BatchIndexEntry, type ShardMetadata } from './schema.js';

export interface RowMeta {
  patient: string;
  series: string;
  sequence: string;
  plane: string;
  slice: number;
}

export interface Batch {
  /** n × size × size (× 1 channel), row-major. */
  x: Float32Array;
  /** n × 4, label order TP53, PTEN, EGFR, IDH. */
  y: Float32Array;
  n: number;
  size: number;
  meta: RowMeta[];
}

export interface BatchOptions {
  split: Split;
  /** With k-fold shards: the fold whose roles to use (test = fold, val = fold + 1 mod k, train = the rest). */
  fold?: number;
  batchSize: number;
  seed: number;
  epoch: number;
  /** Rows held for shuffling (default 512). Memory ≈ shuffleRows × size² × 4 bytes. */
  shuffleRows?: number;
  /** Shards read in parallel (interleaved) (default 4). */
  interleave?: number;
  /** Drop a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
}

export interface ShardReader {
  files: readonly string[];
  size: number;
  folds: number | null;
  /** Metadata of the first shard (params, label order, normalisation); all shards must agree on size/format. */
  metadata: ShardMetadata;
  /** Number of rows a batches() call with these options yields (read from the shard indices, no pixels). */
  countRows(options: Pick<BatchOptions, 'split' | 'fold'>): number;
  batches(options: BatchOptions): AsyncIterable<Batch>;
}

interface FileIndex {
  file: string;
  batches: BatchIndexEntry[];
}

async function readMeta(file: string): Promise<Result<ShardMetadata>> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    if (!reader.isFile()) return err({ kind: 'tensors.shard', message: 'not an Arrow IPC file-format shard', location: { file } });
    const raw = reader.schema.metadata.get(SHARD_FORMAT);
    if (raw === undefined) return err({ kind: 'tensors.shard', message: `no ${SHARD_FORMAT} metadata: not a glioflow shard`, location: { file } });
    const meta = JSON.parse(raw) as ShardMetadata;
    if (meta.version !== SHARD_VERSION) return err({ kind: 'tensors.shard', message: `shard version ${meta.version}, this reader reads ${SHARD_VERSION}`, location: { file } });
    if (meta.batches.length !== reader.numRecordBatches) {
      return err({ kind: 'tensors.shard', message: `index lists ${meta.batches.length} record batches, file has ${reader.numRecordBatches}`, location: { file } });
    }
    return ok(meta);
  } catch (e) {
    return err({ kind: 'tensors.shard', message: `cannot read shard: ${(e as Error).message}`, location: { file } });
  } finally {
    await fh?.close();
  }
}

export async function openShardReader(files: readonly string[]): Promise<Result<ShardReader>> {
  if (files.length === 0) return err({ kind: 'tensors.no-shards', message: 'no shard files given' });
  const index: FileIndex[] = [];
  let first: ShardMetadata | undefined;
  for (const file of files) {
    const m = await readMeta(file);
    if (!m.ok) return m;
    first ??= m.value;
    if (m.value.size !== first.size || m.value.folds !== first.folds || m.value.labelOrder.join() !== first.labelOrder.join()) {
      return err({ kind: 'tensors.mixed-shards', message: `shard differs from ${files[0]} in size, folds or label order`, location: { file } });
    }
    index.push({ file, batches: m.value.batches });
  }
  const meta = first!;
  if (meta.labelOrder.join() !== LABEL_ORDER.join()) return err({ kind: 'tensors.shard', message: `label order ${meta.labelOrder.join()} is not ${LABEL_ORDER.join()}`, location: { file: files[0]! } });

  const wanted = (o: Pick<BatchOptions, 'split' | 'fold'>) => (b: BatchIndexEntry): boolean => {
    if (o.fold === undefined) return b.split === o.split;
    if (meta.folds === null || b.fold === null) return false;
    return splitInFold(b.fold, o.fold, meta.folds) === o.split;
  };
  return ok({
    files,
    size: meta.size,
    folds: meta.folds,
    metadata: meta,
    countRows: (o) => index.reduce((n, f) => n + f.batches.filter(wanted(o)).reduce((m, b) => m + b.rows, 0), 0),
    batches: (o) => streamBatches(index, meta, o, wanted(o)),
  });
}

interface BufferedRow {
  /** Slot in the shuffle slab holding this row's pixels. */
  slot: number;
  labels: readonly number[];
  meta: RowMeta;
}

interface OpenShard {
  fh: FileHandle;
  /** The file's schema message (stream framing), prepended to each record batch message to decode it alone. */
  schemaBytes: Uint8Array;
  blocks: { offset: number; length: number }[];
  queue: number[];
}

// End-of-stream marker of the Arrow IPC stream format: continuation token, then a zero length.
const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * Reads record batches into ONE reused buffer instead of a fresh allocation per batch (what apache-arrow's own
 * file reader does): with multi-MiB batches, fresh buffers are garbage V8 frees only when its external-memory
 * trigger fires, and glibc keeps them in its heap — both made peak memory depend on run length. Each batch is
 * decoded as a two-message IPC stream (schema + batch, zero-copy views into the buffer); the rows are copied into
 * the slab before the buffer is reused.
 */
class BatchBuffer {
  private buf = new Uint8Array(0);
  async read(shard: OpenShard, index: number): Promise<RecordBatch> {
    const block = shard.blocks[index];
    if (!block) throw new GlioflowFailure({ kind: 'tensors.read', message: `record batch ${index} missing` });
    const head = shard.schemaBytes.byteLength;
    const total = head + block.length + EOS.byteLength;
    if (this.buf.byteLength < total) this.buf = new Uint8Array(Math.ceil(total * 1.25));
    this.buf.set(shard.schemaBytes, 0);
    let done = 0;
    while (done < block.length) {
      const { bytesRead } = await shard.fh.read(this.buf, head + done, block.length - done, block.offset + done);
      if (bytesRead === 0) throw new GlioflowFailure({ kind: 'tensors.read', message: `shard ends inside record batch ${index}` });
      done += bytesRead;
    }
    this.buf.set(EOS, head + block.length);
    const reader = RecordBatchReader.from(this.buf.subarray(0, total)).open();
    const first = reader.next();
    if (first.done || !first.value) throw new GlioflowFailure({ kind: 'tensors.read', message: `record batch ${index} did not decode` });
    return first.value as RecordBatch;
  }
}

/**
 * Fixed pixel storage for the shuffle buffer and the batch being filled: rows are copied into free slots of one
 * preallocated Float32Array, so streaming allocates nothing per row and the footprint is constant.
 */
class Slab {
  readonly data: Float32Array;
  private readonly free: number[];
  constructor(readonly slots: number, readonly px: number) {
    this.data = new Float32Array(slots * px);
    this.free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  }
  put(src: Float32Array): number {
    const slot = this.free.pop();
    if (slot === undefined) throw new GlioflowFailure({ kind: 'tensors.read', message: 'shuffle slab full' }); // cannot happen: sized shuffleRows + batchSize + 1
    this.data.set(src, slot * this.px);
    return slot;
  }
  view(slot: number): Float32Array {
    return this.data.subarray(slot * this.px, (slot + 1) * this.px);
  }
  release(slot: number): void {
    this.free.push(slot);
  }
}

async function* streamBatches(index: FileIndex[], meta: ShardMetadata, o: BatchOptions, keep: (b: BatchIndexEntry) => boolean): AsyncGenerator<Batch> {
  if (o.fold !== undefined && meta.folds === null) throw new GlioflowFailure({ kind: 'tensors.read', message: 'batches: fold given but the shards have no folds' });
  if (o.fold !== undefined && !(Number.isInteger(o.fold) && o.fold >= 0 && o.fold < (meta.folds ?? 0))) {
    throw new GlioflowFailure({ kind: 'tensors.read', message: `batches: fold must be an integer in 0..${(meta.folds ?? 0) - 1}, got ${o.fold}` });
  }
  if (!(Number.isInteger(o.batchSize) && o.batchSize > 0)) throw new GlioflowFailure({ kind: 'tensors.read', message: `batches: batchSize must be a positive integer, got ${o.batchSize}` });
  const size = meta.size;
  const px = size * size;
  const rng = epochRng(o.seed, o.epoch);
  const shuffleRows = Math.max(1, o.shuffleRows ?? 512);
  const interleave = Math.max(1, o.interleave ?? 4);
  // Files with at least one wanted record batch, in a seeded random order; batches inside a file too.
  const pending = shuffleInPlace(
    index.map((f) => ({ file: f.file, queue: f.batches.flatMap((b, i) => (keep(b) ? [i] : [])) })).filter((f) => f.queue.length > 0),
    rng,
  );
  const active: OpenShard[] = [];
  const slab = new Slab(shuffleRows + o.batchSize + 1, px);
  const buffer: BufferedRow[] = [];
  let out: BufferedRow[] = [];

  const batchBuffer = new BatchBuffer();
  const openNext = async (): Promise<void> => {
    const next = pending.shift();
    if (!next) return;
    const fh = await open(next.file, 'r');
    try {
      // apache-arrow reads the footer (block offsets); the batches themselves are read by BatchBuffer.
      const reader = await RecordBatchReader.from(fh);
      await reader.open();
      const footer = reader.isFile() ? reader.footer : null;
      if (!footer || footer.numRecordBatches === 0) throw new GlioflowFailure({ kind: 'tensors.read', message: 'no record batches', location: { file: next.file } });
      const blocks = Array.from({ length: footer.numRecordBatches }, (_, i) => {
        const b = footer.getRecordBatch(i)!;
        return { offset: Number(b.offset), length: b.metaDataLength + Number(b.bodyLength) };
      });
      // apache-arrow's file writer keeps the schema only in the footer, so the stream-framed schema message is
      // made here: an empty table's IPC stream is exactly schema message + EOS. Metadata is left out (the batch
      // index JSON would be re-parsed with every batch otherwise).
      const stream = tableToIPC(new Table(new Schema(reader.schema.fields)), 'stream');
      const schemaBytes = stream.subarray(0, stream.byteLength - EOS.byteLength);
      active.push({ fh, schemaBytes, blocks, queue: shuffleInPlace(next.queue, rng) });
    } catch (e) {
      await fh.close();
      throw e instanceof GlioflowFailure ? e : new GlioflowFailure({ kind: 'tensors.read', message: `cannot open shard: ${(e as Error).message}`, location: { file: next.file } });
    }
  };
  const emit = (row: BufferedRow): Batch | null => {
    out.push(row);
    if (out.length < o.batchSize) return null;
    const b = toBatch(out, slab, size);
    out = [];
    return b;
  };

  try {
    while (active.length < interleave && pending.length > 0) await openNext();
    while (active.length > 0) {
      const k = Math.floor(rng() * active.length);
      const shard = active[k]!;
      const bi = shard.queue.shift()!;
      const rb = await batchBuffer.read(shard, bi);
      for (const row of rowsOf(rb, px, slab)) {
        buffer.push(row);
        if (buffer.length > shuffleRows) {
          const b = emit(takeRandom(buffer, rng));
          if (b) yield b;
        }
      }
      if (shard.queue.length === 0) {
        active.splice(k, 1);
        await shard.fh.close();
        if (pending.length > 0) await openNext();
      }
    }
    while (buffer.length > 0) {
      const b = emit(takeRandom(buffer, rng));
      if (b) yield b;
    }
    if (out.length > 0 && !o.dropLast) yield toBatch(out, slab, size);
  } finally {
    for (const s of active) await s.fh.close();
  }
}

function takeRandom<T>(xs: T[], rng: () => number): T {
  const i = Math.floor(rng() * xs.length);
  const v = xs[i]!;
  xs[i] = xs[xs.length - 1]!;
  xs.pop();
  return v;
}

/** Copies each row's pixels out of the record batch into the slab, so the batch can be freed once consumed. */
function* rowsOf(rb: RecordBatch, px: number, slab: Slab): Generator<BufferedRow> {
  const col = (name: string) => {
    const c = rb.getChild(name);
    if (!c) throw new GlioflowFailure({ kind: 'tensors.read', message: `shard record batch has no column ${name}` });
    return c;
  };
  const patient = col('patient');
  const series = col('series');
  const sequence = col('sequence');
  const plane = col('plane');
  const slice = col('slice');
  const labelCols = LABEL_ORDER.map((g) => col(g));
  const pixels = col('pixels');
  for (let i = 0; i < rb.numRows; i++) {
    const v = pixels.get(i) as { toArray(): Float32Array } | null;
    if (!v) throw new GlioflowFailure({ kind: 'tensors.read', message: `null pixels in row ${i}` });
    const arr = v.toArray();
    if (arr.length !== px) throw new GlioflowFailure({ kind: 'tensors.read', message: `row ${i} has ${arr.length} pixels, expected ${px}` });
    yield {
      slot: slab.put(arr),
      labels: labelCols.map((c) => Number(c.get(i))),
      meta: { patient: String(patient.get(i)), series: String(series.get(i)), sequence: String(sequence.get(i)), plane: String(plane.get(i)), slice: Number(slice.get(i)) },
    };
  }
}

function toBatch(rows: BufferedRow[], slab: Slab, size: number): Batch {
  const px = slab.px;
  const n = rows.length;
  const x = new Float32Array(n * px);
  const y = new Float32Array(n * LABEL_ORDER.length);
  rows.forEach((r, i) => {
    x.set(slab.view(r.slot), i * px);
    slab.release(r.slot);
    r.labels.forEach((l, j) => (y[i * LABEL_ORDER.length + j] = l));
  });
  return { x, y, n, size, meta: rows.map((r) => r.meta) };
}
