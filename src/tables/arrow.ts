// Stage tables that grow with the cohort, as Arrow IPC files written and read in record batches (apache-arrow).
// Why: a table held as one JSON string hits V8's longest string (~512 M characters) near TCGA-GBM's size, and a
// parsed table costs a JS object per row for the whole stage. Here a writer holds one batch of rows at a time and
// writes it through to the file; a reader yields one batch's rows at a time. The columns are declared once
// (`TableColumns`), and the rows' TypeScript type follows from them; a file whose columns differ is refused with
// its path, never read as something else.
import { closeSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { AsyncByteQueue, Bool, Field, Float64, Int32, makeBuilder, makeData, RecordBatch, RecordBatchFileWriter, RecordBatchReader, Schema, Struct, Utf8, type Builder, type DataType, type Vector } from 'apache-arrow';
import { GlioflowFailure } from '../engine/result.js';

export type ColumnKind = 'utf8' | 'float64' | 'int32' | 'bool';
export interface ColumnSpec {
  kind: ColumnKind;
  nullable: boolean;
}
export type TableColumns = Readonly<Record<string, ColumnSpec>>;

type KindValue<K extends ColumnKind> = K extends 'utf8' ? string : K extends 'bool' ? boolean : number;
/** One row of a table with these columns. */
export type RowOf<C extends TableColumns> = { [K in keyof C]: C[K]['nullable'] extends true ? KindValue<C[K]['kind']> | null : KindValue<C[K]['kind']> };

/** Rows per record batch by default: a few MB of builders at most, and few enough batches for a fast footer. */
export const BATCH_ROWS = 32_768;

function arrowType(kind: ColumnKind): DataType {
  switch (kind) {
    case 'utf8':
      return new Utf8();
    case 'float64':
      return new Float64();
    case 'int32':
      return new Int32();
    case 'bool':
      return new Bool();
  }
}

export function tableSchema(columns: TableColumns): Schema {
  return new Schema(Object.entries(columns).map(([name, c]) => new Field(name, arrowType(c.kind), c.nullable)));
}

/** An AsyncByteQueue that writes each chunk through to a file descriptor at once: nothing is buffered in memory. */
class FileSink extends AsyncByteQueue<Uint8Array> {
  bytes = 0;
  constructor(private readonly fd: number) {
    super();
  }
  override write(value: Uint8Array): void {
    let done = 0;
    while (done < value.byteLength) done += writeSync(this.fd, value, done, value.byteLength - done);
    this.bytes += value.byteLength;
  }
}

/** Writes rows to an Arrow IPC file, one record batch of `batchRows` rows at a time. close() when done. */
export class ArrowTableWriter<C extends TableColumns> {
  private readonly schema: Schema;
  private readonly names: (keyof C & string)[];
  private builders: Builder[];
  private pending = 0;
  private readonly fd: number;
  private readonly sink: FileSink;
  private readonly writer: RecordBatchFileWriter;
  rows = 0;

  constructor(
    readonly path: string,
    readonly columns: C,
    private readonly batchRows = BATCH_ROWS,
  ) {
    this.schema = tableSchema(columns);
    this.names = Object.keys(columns) as (keyof C & string)[];
    this.builders = this.newBuilders();
    this.fd = openSync(path, 'w');
    this.sink = new FileSink(this.fd);
    this.writer = new RecordBatchFileWriter();
    this.writer.reset(this.sink, this.schema);
  }

  private newBuilders(): Builder[] {
    return this.schema.fields.map((f) => makeBuilder({ type: f.type, nullValues: [null, undefined] }));
  }

  append(row: RowOf<C>): void {
    for (let i = 0; i < this.names.length; i++) (this.builders[i] as Builder).append(row[this.names[i] as keyof C]);
    this.pending++;
    this.rows++;
    if (this.pending >= this.batchRows) this.flush();
  }

  private flush(): void {
    if (this.pending === 0) return;
    const children = this.builders.map((b) => b.finish().flush());
    this.writer.write(new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length: this.pending, nullCount: 0, children })));
    this.builders = this.newBuilders();
    this.pending = 0;
  }

  /** Writes the last batch and the file's footer; returns the rows and bytes written. */
  close(): { rows: number; bytes: number } {
    try {
      this.flush();
      this.writer.finish();
    } finally {
      closeSync(this.fd);
    }
    return { rows: this.rows, bytes: this.sink.bytes };
  }
}

function checkSchema(path: string, schema: Schema, columns: TableColumns, what: string): void {
  for (const [name, spec] of Object.entries(columns)) {
    const field = schema.fields.find((f) => f.name === name);
    if (!field || String(field.type) !== String(arrowType(spec.kind))) {
      throw new GlioflowFailure({
        kind: 'bad-table',
        message: `${what} (${path}) has no ${spec.kind} column "${name}" (its columns: ${schema.fields.map((f) => `${f.name}: ${String(f.type)}`).join(', ')})`,
        location: { file: path },
        hint: 'it was written by another version of glioflow: run its stage again (`glioflow run --force STAGE`)',
      });
    }
  }
}

/**
 * The rows of an Arrow IPC file, one record batch at a time (each batch's rows as an array). `what` names the table
 * in errors. Only these columns are read; the file may have more.
 */
export async function* readTableBatches<C extends TableColumns>(path: string, columns: C, what: string): AsyncGenerator<RowOf<C>[]> {
  const handle = await open(path, 'r');
  try {
    let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
    try {
      reader = await RecordBatchReader.from(handle);
      await reader.open();
    } catch (error) {
      throw new GlioflowFailure({ kind: 'bad-table', message: `${what} (${path}) is not an Arrow IPC file: ${(error as Error).message}`, location: { file: path }, hint: 'run its stage again (`glioflow run --force STAGE`)' });
    }
    checkSchema(path, reader.schema, columns, what);
    const names = Object.keys(columns);
    for await (const batch of reader) {
      const vectors = names.map((n) => batch.getChild(n) as Vector);
      const rows: RowOf<C>[] = new Array<RowOf<C>>(batch.numRows);
      for (let i = 0; i < batch.numRows; i++) {
        const row: Record<string, unknown> = {};
        for (let c = 0; c < names.length; c++) row[names[c] as string] = (vectors[c] as Vector).get(i) ?? null;
        rows[i] = row as RowOf<C>;
      }
      yield rows;
    }
  } finally {
    await handle.close();
  }
}

/** Every row of an Arrow IPC file, one at a time (read one batch at a time). */
export async function* readTableRows<C extends TableColumns>(path: string, columns: C, what: string): AsyncGenerator<RowOf<C>> {
  for await (const rows of readTableBatches(path, columns, what)) yield* rows;
}

/** Column declarations, with their literal types kept (`as const` without the noise). */
export function columns<C extends TableColumns>(c: C): C {
  return c;
}
export const utf8 = { kind: 'utf8', nullable: false } as const;
export const utf8Null = { kind: 'utf8', nullable: true } as const;
export const f64 = { kind: 'float64', nullable: false } as const;
export const f64Null = { kind: 'float64', nullable: true } as const;
export const i32 = { kind: 'int32', nullable: false } as const;
export const i32Null = { kind: 'int32', nullable: true } as const;
export const bool = { kind: 'bool', nullable: false } as const;

/** Runs of consecutive rows with the same `key` value (a table written group after group, e.g. series by series). */
export async function* groupsOf<R extends Record<string, unknown>, K extends keyof R & string>(rows: AsyncIterable<R>, key: K): AsyncGenerator<{ key: R[K]; rows: R[] }> {
  let current: { key: R[K]; rows: R[] } | undefined;
  for await (const row of rows) {
    if (current && current.key === row[key]) current.rows.push(row);
    else {
      if (current) yield current;
      current = { key: row[key], rows: [row] };
    }
  }
  if (current) yield current;
}
