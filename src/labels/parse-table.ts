// Per-patient label tables (CSV/TSV/semicolon): one row per patient, one column per gene.
import { parse } from 'csv-parse/sync';
import { err, ok, type GlioflowError, type Result } from '../engine/result.js';
import { detectDelimiter, findGeneColumn, findPatientColumn, parseBit, patientOf } from './columns.js';
import { GENES, type Bit, type Gene, type LabelRow, type LabelTable, type LabelVector } from './types.js';

export interface TableOptions {
  /** Name used in messages (usually the path). */
  file: string;
  /** Exact name of the patient column; detected (TCGA_ID, patient_id, Case_ID, …) when absent. */
  patientColumn?: string;
  /** Exact column names per gene; detected (`TP53`, `TP53_mut`, …) when absent. IDH may also be left to IDH1/IDH2. */
  geneColumns?: Partial<Record<Gene | 'IDH1' | 'IDH2', string>>;
  /** Delimiter; detected from the header line when absent. */
  delimiter?: string;
}

interface Parsed {
  record: string[];
  info: { lines: number };
}

export function parseLabelTable(text: string, options: TableOptions): Result<LabelTable> {
  const file = options.file;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.trim() === '') return err({ kind: 'labels.empty', message: 'label table is empty or starts with a blank line', location: { file, line: 1 } });
  const delimiter = options.delimiter ?? detectDelimiter(firstLine);

  let records: Parsed[];
  try {
    records = parse(body, { delimiter, info: true, skip_empty_lines: true, relax_quotes: true }) as unknown as Parsed[];
  } catch (e) {
    const line = typeof (e as { lines?: unknown }).lines === 'number' ? (e as { lines: number }).lines : undefined;
    return err({ kind: 'labels.unreadable', message: `cannot parse label table: ${(e as Error).message}`, location: { file, ...(line !== undefined ? { line } : {}) } });
  }
  const headerRec = records[0];
  if (!headerRec) return err({ kind: 'labels.empty', message: 'label table has no header', location: { file } });
  const header = headerRec.record.map((h) => h.trim());
  const columnsList = header.map((h) => JSON.stringify(h)).join(', ');

  const patientCol = findPatientColumn(header, options.patientColumn);
  if (patientCol < 0) {
    return err({
      kind: 'labels.no-patient-column',
      message: options.patientColumn !== undefined
        ? `patient column "${options.patientColumn}" does not exist; columns are ${columnsList}`
        : `no patient column (looked for TCGA_ID, patient_id, Case_ID, …); columns are ${columnsList}`,
      location: { file, line: 1 },
      hint: 'name the patient column in the options (patientColumn)',
    });
  }

  const warnings: string[] = [];
  // Column index per gene; IDH may be the OR of two columns.
  const geneCols: number[][] = [];
  for (const gene of GENES) {
    const col = findGeneColumn(header, gene, options.geneColumns?.[gene]);
    if (col >= 0) {
      geneCols.push([col]);
      continue;
    }
    if (options.geneColumns?.[gene] !== undefined) return missingColumn(file, options.geneColumns[gene] ?? gene, gene, columnsList);
    if (gene === 'IDH') {
      const c1 = findGeneColumn(header, 'IDH1', options.geneColumns?.IDH1);
      const c2 = findGeneColumn(header, 'IDH2', options.geneColumns?.IDH2);
      if (c1 >= 0 && c2 >= 0) {
        geneCols.push([c1, c2]);
        continue;
      }
      if (c1 >= 0 || c2 >= 0) {
        warnings.push(`${file}: no IDH or ${c1 >= 0 ? 'IDH2' : 'IDH1'} column; IDH is taken from ${header[Math.max(c1, c2)]} alone`);
        geneCols.push([Math.max(c1, c2)]);
        continue;
      }
      return missingColumn(file, 'IDH (or IDH1/IDH2)', gene, columnsList);
    }
    return missingColumn(file, gene, gene, columnsList);
  }

  const rows: LabelRow[] = [];
  const seen = new Map<string, { line: number; labels: LabelVector }>();
  let truncatedCount = 0;
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      return err({ kind: 'labels.unreadable', message: `line has ${record.length} fields, header has ${header.length}`, location: { file, line } });
    }
    const rawId = record[patientCol] ?? '';
    if (rawId.trim() === '') return err({ kind: 'labels.unreadable', message: `empty patient id in column ${header[patientCol]}`, location: { file, line } });
    const { patient, truncated } = patientOf(rawId);
    if (truncated) truncatedCount++;
    const bits: Bit[] = [];
    for (let g = 0; g < GENES.length; g++) {
      let bit: Bit = 0;
      for (const c of geneCols[g] ?? []) {
        const raw = record[c] ?? '';
        const b = parseBit(raw);
        if (b === null) {
          return err({
            kind: 'labels.bad-value',
            message: `unreadable value ${JSON.stringify(raw)} in column ${header[c]} for ${patient} (expected 0/1, MUTATED/NOT_MUTATED or true/false)`,
            location: { file, line, column: c + 1 },
            item: patient,
          });
        }
        if (b === 1) bit = 1;
      }
      bits.push(bit);
    }
    const labels = bits as LabelVector;
    const prev = seen.get(patient);
    if (prev) {
      if (prev.labels.join() !== labels.join()) {
        return err({
          kind: 'labels.conflict',
          message: `patient ${patient} appears on lines ${prev.line} and ${line} with different labels (${prev.labels.join('')} vs ${labels.join('')})`,
          location: { file, line },
          item: patient,
        });
      }
      warnings.push(`${file}:${line}: patient ${patient} repeated (same labels as line ${prev.line}); kept once`);
      continue;
    }
    seen.set(patient, { line, labels });
    rows.push({ patient, labels });
  }
  if (truncatedCount > 0) warnings.push(`${file}: ${truncatedCount} sample barcodes were cut to their 12-character patient barcode`);
  if (rows.length === 0) warnings.push(`${file}: label table has a header but no rows`);
  return ok({ genes: GENES, rows, warnings, source: file });
}

function missingColumn(file: string, wanted: string, gene: Gene, columnsList: string): { ok: false; error: GlioflowError } {
  return err({
    kind: 'labels.missing-gene-column',
    message: `gene column ${wanted} does not exist; columns are ${columnsList}`,
    location: { file, line: 1 },
    item: gene,
    hint: 'name the column in the options (geneColumns)',
  });
}
