// GDC / cBioPortal MAF: one row per variant. A patient is positive for a gene when it has at least one variant of a
// counted class in that gene; every patient named in the MAF (or in sequencedPatients) is otherwise 0.
import { parse } from 'csv-parse/sync';
import { err, ok, type Result } from '../engine/result.js';
import { normaliseName } from './columns.js';
import { GENES, type LabelRow, type LabelTable, type LabelVector } from './types.js';

/** Protein-changing classes; Silent, introns, UTRs, RNA, in-frame indels … are not counted unless asked for. */
export const DEFAULT_COUNTED_CLASSES: readonly string[] = [
  'Missense_Mutation',
  'Nonsense_Mutation',
  'Frame_Shift_Del',
  'Frame_Shift_Ins',
  'Splice_Site',
];

export interface MafOptions {
  file: string;
  /** Variant_Classification values that make a gene positive (exact, case-sensitive as in the MAF spec). */
  countedClasses?: readonly string[];
  /**
   * Patients known to be sequenced (e.g. a cBioPortal cases_sequenced list). A MAF lists only patients with at
   * least one variant, so a sequenced patient with none would otherwise be missing; these are added as all-0.
   */
  sequencedPatients?: readonly string[];
}

// MAF gene symbol → label index. IDH = IDH1 or IDH2.
const GENE_INDEX = new Map<string, number>([
  ['TP53', 0],
  ['PTEN', 1],
  ['EGFR', 2],
  ['IDH1', 3],
  ['IDH2', 3],
]);

const REQUIRED = ['Hugo_Symbol', 'Variant_Classification', 'Tumor_Sample_Barcode'] as const;

export function parseMaf(text: string, options: MafOptions): Result<LabelTable> {
  const file = options.file;
  const counted = new Set(options.countedClasses ?? DEFAULT_COUNTED_CLASSES);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // MAF fields are never quoted (HGVS strings may contain quotes), so quoting is off.
    records = parse(body, { delimiter: '\t', info: true, skip_empty_lines: true, comment: '#', comment_no_infix: true, quote: false, relax_column_count: true }) as unknown as typeof records;
  } catch (e) {
    const line = typeof (e as { lines?: unknown }).lines === 'number' ? (e as { lines: number }).lines : undefined;
    return err({ kind: 'labels.unreadable', message: `cannot parse MAF: ${(e as Error).message}`, location: { file, ...(line !== undefined ? { line } : {}) } });
  }
  const head = records[0];
  if (!head) return err({ kind: 'labels.empty', message: 'MAF has no header line', location: { file } });
  const header = head.record.map((h) => h.trim());
  const norm = header.map(normaliseName);
  const idx: number[] = [];
  for (const name of REQUIRED) {
    const i = norm.indexOf(normaliseName(name));
    if (i < 0) {
      return err({
        kind: 'labels.missing-column',
        message: `MAF column ${name} does not exist; columns are ${header.slice(0, 40).map((h) => JSON.stringify(h)).join(', ')}${header.length > 40 ? ', …' : ''}`,
        location: { file, line: head.info.lines },
      });
    }
    idx.push(i);
  }
  const [hugoCol, classCol, barcodeCol] = idx as [number, number, number];

  const labels = new Map<string, LabelVector>();
  const order: string[] = [];
  const add = (p: string): LabelVector => {
    let v = labels.get(p);
    if (!v) {
      v = [0, 0, 0, 0];
      labels.set(p, v);
      order.push(p);
    }
    return v;
  };
  const warnings: string[] = [];
  const unknownClasses = new Set<string>();
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length <= Math.max(hugoCol, classCol, barcodeCol)) {
      return err({ kind: 'labels.unreadable', message: `line has ${record.length} fields, too few for the MAF columns`, location: { file, line } });
    }
    const barcode = (record[barcodeCol] ?? '').trim();
    if (!/^TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}/i.test(barcode) && barcode.length < 12) {
      return err({ kind: 'labels.bad-value', message: `Tumor_Sample_Barcode ${JSON.stringify(barcode)} is shorter than a 12-character patient barcode`, location: { file, line, column: barcodeCol + 1 } });
    }
    const patient = barcode.slice(0, 12).toUpperCase();
    const vec = add(patient);
    const gene = GENE_INDEX.get((record[hugoCol] ?? '').trim());
    const cls = (record[classCol] ?? '').trim();
    if (cls === '') return err({ kind: 'labels.bad-value', message: 'empty Variant_Classification', location: { file, line, column: classCol + 1 }, item: patient });
    if (gene === undefined) continue;
    if (counted.has(cls)) vec[gene] = 1;
    else unknownClasses.add(cls);
  }
  for (const p of options.sequencedPatients ?? []) add(p.trim().slice(0, 12).toUpperCase());
  if (unknownClasses.size > 0) {
    warnings.push(`${file}: variants of classes not counted in TP53/PTEN/EGFR/IDH1/IDH2: ${[...unknownClasses].sort().join(', ')}`);
  }
  if (options.sequencedPatients === undefined) {
    warnings.push(`${file}: a MAF lists only patients with at least one variant; sequenced patients without any are absent unless passed as sequencedPatients`);
  }
  const rows: LabelRow[] = order.map((patient) => ({ patient, labels: labels.get(patient) ?? [0, 0, 0, 0] }));
  return ok({ genes: GENES, rows, warnings, source: file });
}
