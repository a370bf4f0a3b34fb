// Shared by the DICOM tests: fixture paths, the pydicom reference (test/fixtures/dicom/reference.json), and a
// typed handle on dcmjs, which we use as an independent DICOM writer to build hostile inputs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/dicom/files/', import.meta.url));
export const SHARED_SAMPLES = fileURLToPath(new URL('../../../shared/data/dicom-samples/', import.meta.url));

export interface RefFrame {
  sha1: string;
  sum: number;
  min: number;
  max: number;
  samples: [number, number][];
}
export interface RefEntry {
  source: string;
  transferSyntax: string;
  decodable: boolean;
  why?: string;
  lossy?: boolean;
  frames?: number;
  rows?: number;
  columns?: number;
  perFrame?: RefFrame[];
}
export interface Reference {
  pydicom: string;
  files: Record<string, RefEntry>;
  fixtures: Record<string, RefEntry>;
}

export function loadReference(): Reference {
  return JSON.parse(readFileSync(new URL('../fixtures/dicom/reference.json', import.meta.url), 'utf8')) as Reference;
}

export function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Lossy codecs may round differently between implementations (integer vs float IDCT, 9-7 wavelet arithmetic), so
 * lossy syntaxes may differ from the reference by a couple of stored grey levels (times RescaleSlope in modality
 * units); lossless and native data must match bit for bit (as float32).
 */
const LOSSY_TOLERANCE = 2;

/** Differences between decoded frames and a reference entry; empty when they agree. */
export function compareWithReference(frames: Float32Array[], ref: RefEntry, rows: number, columns: number, slope = 1): string[] {
  const tolerance = LOSSY_TOLERANCE * Math.abs(slope);
  const problems: string[] = [];
  if (ref.rows !== rows || ref.columns !== columns) problems.push(`shape ${rows}×${columns}, reference ${ref.rows}×${ref.columns}`);
  if (frames.length !== ref.frames) problems.push(`${frames.length} frames, reference ${ref.frames}`);
  frames.forEach((frame, f) => {
    const r = ref.perFrame?.[f];
    if (!r) return;
    const sha = createHash('sha1').update(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)).digest('hex');
    if (sha === r.sha1) return;
    if (!ref.lossy) {
      const bad = r.samples.find(([i, v]) => frame[i] !== v);
      problems.push(`frame ${f}: float32 values differ from pydicom${bad ? ` (pixel ${bad[0]}: ${frame[bad[0]]} vs ${bad[1]})` : ''}`);
      return;
    }
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let i = 0; i < frame.length; i++) {
      const v = frame[i]!;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const worst = Math.max(...r.samples.map(([i, v]) => Math.abs(frame[i]! - v)));
    if (worst > tolerance || Math.abs(sum - r.sum) / frame.length > 0.5 * Math.abs(slope) || Math.abs(min - r.min) > tolerance || Math.abs(max - r.max) > tolerance) {
      problems.push(`frame ${f}: lossy values too far from pydicom (worst sampled difference ${worst})`);
    }
  });
  return problems;
}

export interface DcmjsDict {
  meta: Record<string, { vr: string; Value: unknown[] }>;
  dict: Record<string, { vr: string; Value: unknown[] }>;
  write(): ArrayBuffer;
}
interface Dcmjs {
  data: { DicomMessage: { readFile(buffer: ArrayBuffer): DcmjsDict } };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

/** Reads a file with dcmjs, lets `edit` change elements (tags as 'GGGGEEEE'), and writes it back. */
export function rewrite(bytes: Uint8Array, edit: (d: DcmjsDict) => void): Uint8Array {
  const d = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer);
  edit(d);
  return new Uint8Array(d.write());
}

/** Offset of the first explicit-VR-LE element header (group, element, VR) in `bytes`, or -1. */
export function findExplicitElement(bytes: Uint8Array, group: number, element: number): number {
  for (let i = 132; i + 8 <= bytes.length; i++) {
    if (bytes[i] === (group & 0xff) && bytes[i + 1] === group >> 8 && bytes[i + 2] === (element & 0xff) && bytes[i + 3] === element >> 8) {
      const v0 = bytes[i + 4]!;
      const v1 = bytes[i + 5]!;
      if (v0 >= 0x41 && v0 <= 0x5a && v1 >= 0x41 && v1 <= 0x5a) return i;
    }
  }
  return -1;
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
