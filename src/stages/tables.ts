// Tables for people: CSV with a header row, written with csv-stringify.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

export type Cell = string | number | boolean | null;

export function toCsv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return stringify([columns as string[], ...rows.map((r) => r.map((c) => (c === null ? '' : c)))]);
}

export async function writeCsv(dir: string, name: string, columns: readonly string[], rows: readonly (readonly Cell[])[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, toCsv(columns, rows));
  return file;
}
