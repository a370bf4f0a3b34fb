// `glioflow export` of Arrow tables: CSV written a record batch at a time (the same bytes csv-stringify gives for all
// rows at once, as tables.ts's writeCsv), or the Arrow files as they are.
import { closeSync, openSync, writeSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { readTableBatches, type RowOf, type TableColumns } from '../tables/arrow.js';
import type { Cell } from './tables.js';

/** A CSV file written a batch of rows at a time: a table of a million rows never becomes one string. */
export class CsvFileWriter {
  private readonly fd: number;
  readonly file: string;
  constructor(dir: string, name: string, columns: readonly string[]) {
    this.file = join(dir, name);
    this.fd = openSync(this.file, 'w');
    writeSync(this.fd, stringify([columns as string[]]));
  }

  write(rows: readonly (readonly Cell[])[]): void {
    if (rows.length > 0) writeSync(this.fd, stringify(rows.map((r) => r.map((c) => (c === null ? '' : c)))));
  }

  close(): string {
    closeSync(this.fd);
    return this.file;
  }
}

/** An Arrow table as CSV, a record batch at a time. */
export async function exportTable<C extends TableColumns>(
  source: { path: string; columns: C; what: string },
  dir: string,
  name: string,
  header: readonly string[],
  row: (r: RowOf<C>) => Cell[],
): Promise<string> {
  const csv = new CsvFileWriter(dir, name, header);
  try {
    for await (const batch of readTableBatches(source.path, source.columns, source.what)) csv.write(batch.map(row));
  } finally {
    csv.close();
  }
  return csv.file;
}

/** `--format arrow`: the tables as they are. */
export async function copyTables(path: (output: string) => string, dir: string, names: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) {
    await copyFile(path(name), join(dir, name));
    out.push(join(dir, name));
  }
  return out;
}
