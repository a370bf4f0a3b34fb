// Reads a label file from disk and picks the parser: a MAF is recognised by its Hugo_Symbol and
// Tumor_Sample_Barcode header columns; anything else is a per-patient table.
import { readFile } from 'node:fs/promises';
import { err, type Result } from '../engine/result.js';
import { normaliseName } from './columns.js';
import { parseMaf, type MafOptions } from './parse-maf.js';
import { parseLabelTable, type TableOptions } from './parse-table.js';
import type { LabelTable } from './types.js';

export type LabelFileOptions = Omit<TableOptions, 'file'> &
  Omit<MafOptions, 'file'> & {
    /** Force a parser; detected from the header when absent. */
    format?: 'table' | 'maf';
  };

export function isMafText(text: string): boolean {
  for (const line of text.split(/\r?\n/, 200)) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const cols = line.split('\t').map(normaliseName);
    return cols.includes('hugosymbol') && cols.includes('tumorsamplebarcode');
  }
  return false;
}

export function parseLabels(text: string, file: string, options: LabelFileOptions = {}): Result<LabelTable> {
  const format = options.format ?? (isMafText(text.replace(/^\uFEFF/, '')) ? 'maf' : 'table');
  return format === 'maf' ? parseMaf(text, { ...options, file }) : parseLabelTable(text, { ...options, file });
}

export async function readLabelFile(path: string, options: LabelFileOptions = {}): Promise<Result<LabelTable>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return err({ kind: 'labels.read', message: `cannot read label file: ${(e as Error).message}`, location: { file: path } });
  }
  return parseLabels(text, path, options);
}
