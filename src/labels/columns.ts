// Column-name and value recognition shared by the table and MAF parsers.
import type { Bit } from './types.js';

/** Lower-case, drop everything but letters and digits: `Case_ID`, `case id`, `CASE-ID` all become `caseid`. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

// Names seen in TCGA label tables for the patient barcode, most specific first.
const PATIENT_COLUMN_NAMES = [
  'tcgaid',
  'patientid',
  'caseid',
  'bcrpatientbarcode',
  'patientbarcode',
  'casesubmitterid',
  'submitterid',
  'patient',
  'case',
  'tcgabarcode',
  'barcode',
  'id',
];

/** Index of the patient column, or -1. `requested` (exact name, case-insensitive) wins over detection. */
export function findPatientColumn(header: readonly string[], requested?: string): number {
  const norm = header.map(normaliseName);
  if (requested !== undefined) {
    const want = requested.trim().toLowerCase();
    return header.findIndex((h) => h.trim().toLowerCase() === want);
  }
  for (const name of PATIENT_COLUMN_NAMES) {
    const i = norm.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}

// Suffixes label tables add to gene names (`TP53_mut`, `EGFR mutation`, `IDH1.status`).
const GENE_SUFFIXES = ['mutationstatus', 'mutated', 'mutation', 'status', 'mut'];

/** Index of the column for `gene` (e.g. TP53, IDH1), or -1. Matches `TP53`, `tp53_mut`, `TP53 mutation`, … */
export function findGeneColumn(header: readonly string[], gene: string, requested?: string): number {
  if (requested !== undefined) {
    const want = requested.trim().toLowerCase();
    return header.findIndex((h) => h.trim().toLowerCase() === want);
  }
  const g = normaliseName(gene);
  const norm = header.map(normaliseName);
  const exact = norm.indexOf(g);
  if (exact >= 0) return exact;
  for (const suffix of GENE_SUFFIXES) {
    const i = norm.indexOf(g + suffix);
    if (i >= 0) return i;
  }
  return -1;
}

/** 0/1, MUTATED/NOT_MUTATED, true/false (case-insensitive, surrounding spaces ignored); null when unreadable. */
export function parseBit(raw: string): Bit | null {
  const v = raw.trim().toLowerCase();
  switch (v) {
    case '1':
    case '1.0':
    case 'mutated':
    case 'true':
      return 1;
    case '0':
    case '0.0':
    case 'not_mutated':
    case 'not mutated':
    case 'false':
      return 0;
    default:
      return null;
  }
}

const TCGA_BARCODE = /^TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}/i;

/**
 * The patient part of an id: TCGA sample/aliquot barcodes (`TCGA-02-0003-01A-01D-…`) are cut to their
 * first 12 characters, which name the patient; other ids are kept as written (trimmed).
 */
export function patientOf(id: string): { patient: string; truncated: boolean } {
  const t = id.trim();
  const m = TCGA_BARCODE.exec(t);
  if (m) return { patient: m[0].toUpperCase(), truncated: t.length > 12 };
  return { patient: t, truncated: false };
}

/** The delimiter of a delimited text: whichever of tab, comma, semicolon, pipe occurs most in the header line, outside quotes. */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([['\t', 0], [',', 0], [';', 0], ['|', 0]]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let bestN = 0;
  for (const [d, n] of counts) {
    if (n > bestN) {
      best = d;
      bestN = n;
    }
  }
  return best;
}
