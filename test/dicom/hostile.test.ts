// Bad inputs are values, never crashes, hangs or huge allocations. Every case is derived in the test from a valid
// fixture, by cutting bytes, patching element values, or re-writing the file with dcmjs (an independent writer).
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeFrames, groupIntoSeries, parseDicom, parseHeader, type DicomRejection } from '../../src/dicom/index.js';
import { parseDataSet } from '../../src/dicom/dataset.js';
import { findExplicitElement, FIXTURES, pseudoRandomBytes, readBytes, rewrite } from './helpers.js';

const MR = readBytes(FIXTURES + 'MR_small.dcm'); // explicit VR LE, 64×64×16-bit, 8192 pixel bytes at the end
const RLE = readBytes(FIXTURES + 'MR_small_RLE.dcm');
const J2K = readBytes(FIXTURES + 'MR_small_jp2klossless.dcm');
const JLS = readBytes(FIXTURES + 'MR_small_jpeg_ls_lossless.dcm');

/** parseDicom, then decodeFrames if the header passed: the rejection reason, or 'ok'. */
async function outcome(bytes: Uint8Array): Promise<DicomRejection['reason'] | 'ok'> {
  const h = parseDicom(bytes, 'hostile.dcm');
  if (!h.ok) return h.error.reason;
  const d = await decodeFrames(h.value);
  return d.ok ? 'ok' : d.error.reason;
}

/** Overwrites the 2-byte US value of an explicit-VR-LE element. */
function patchUS(bytes: Uint8Array, group: number, element: number, value: number): Uint8Array {
  const out = bytes.slice();
  const at = findExplicitElement(out, group, element);
  expect(at).toBeGreaterThan(0);
  out[at + 8] = value & 0xff;
  out[at + 9] = value >> 8;
  return out;
}

const tag = (g: number, e: number) => `${g.toString(16).padStart(4, '0')}${e.toString(16).padStart(4, '0')}`.toUpperCase();

describe('hostile DICOM input', () => {
  it('the untouched fixtures decode (so every rejection below is caused by the damage)', async () => {
    for (const b of [MR, RLE, J2K, JLS]) expect(await outcome(b)).toBe('ok');
  });

  it('empty file → empty', async () => {
    expect(await outcome(new Uint8Array(0))).toBe('empty');
  });

  it('random bytes → not-dicom', async () => {
    for (const seed of [1, 2, 3]) expect(await outcome(pseudoRandomBytes(4096, seed))).toBe('not-dicom');
  });

  it('non-DICOM files → not-dicom', async () => {
    expect(await outcome(new TextEncoder().encode('patient_id,label\nTCGA-02-0001,1\n'))).toBe('not-dicom');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...pseudoRandomBytes(300, 9)]);
    expect(await outcome(png)).toBe('not-dicom');
  });

  it('header cut short → truncated', async () => {
    expect(await outcome(MR.subarray(0, 140))).toBe('truncated');
    expect(await outcome(MR.subarray(0, 600))).toBe('truncated');
  });

  it('pixel data cut short → truncated, for native and encapsulated data', async () => {
    expect(await outcome(MR.subarray(0, MR.length - 1000))).toBe('truncated'); // the last 126 bytes are trailing padding
    expect(await outcome(RLE.subarray(0, RLE.length - 500))).toBe('truncated');
    expect(await outcome(J2K.subarray(0, J2K.length - 500))).toBe('truncated');
  });

  it('Rows × Columns far larger than the data → truncated; beyond the pixel cap → too-large', async () => {
    expect(await outcome(patchUS(MR, 0x0028, 0x0010, 60000))).toBe('truncated');
    const huge = patchUS(patchUS(MR, 0x0028, 0x0010, 65535), 0x0028, 0x0011, 65535);
    expect(await outcome(huge)).toBe('too-large');
  });

  it('compressed codestreams that disagree with Rows/Columns are rejected before decoding', async () => {
    for (const b of [RLE, J2K, JLS]) {
      const r = await outcome(patchUS(b, 0x0028, 0x0010, 128));
      expect(['decode-failed', 'truncated']).toContain(r);
    }
  });

  it('a JPEG-LS frame without its EOI marker is refused quickly (CharLS spins for seconds on some of these)', async () => {
    const b = JLS.slice();
    const eoi = Buffer.from(b).lastIndexOf(Buffer.from([0xff, 0xd9]));
    expect(eoi).toBeGreaterThan(0);
    b[eoi + 1] = 0x14;
    expect(await outcome(b)).toBe('decode-failed');
  });

  it('NumberOfFrames in the thousands → truncated, without allocating for them', async () => {
    const frames = (n: string) => (d: Parameters<Parameters<typeof rewrite>[1]>[0]) => {
      d.dict[tag(0x0028, 0x0008)] = { vr: 'IS', Value: [n] };
    };
    expect(await outcome(rewrite(MR, frames('5000')))).toBe('truncated');
    expect(await outcome(rewrite(RLE, frames('5000')))).toBe('truncated');
    expect(await outcome(rewrite(MR, frames('5000000')))).toBe('too-large');
    expect(await outcome(rewrite(MR, frames('0')))).toBe('bad-header');
    expect(await outcome(rewrite(MR, frames('-3')))).toBe('bad-header');
    expect(await outcome(rewrite(MR, frames('many')))).toBe('bad-header');
  });

  it('keeps a PatientID with ../ and control characters as data; the series id stays filesystem-safe', async () => {
    const evil = '../../etc/\u0001\u001b[2Jx';
    const bytes = rewrite(MR, (d) => {
      d.dict[tag(0x0010, 0x0020)] = { vr: 'LO', Value: [evil] };
    });
    const h = parseHeader(bytes, 'evil.dcm');
    if (!h.ok) throw new Error(h.error.message);
    expect(h.value.patientId).toBe(evil);
    const [g] = groupIntoSeries([h.value]);
    expect(g!.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(g!.patientId).toBe(evil);
  });

  it('reads a description that is not valid UTF-8 (nor declared) without failing', async () => {
    const marked = rewrite(MR, (d) => {
      d.dict[tag(0x0008, 0x103e)] = { vr: 'LO', Value: ['AX T1 ZZZZ'] };
    });
    const at = Buffer.from(marked).indexOf('ZZZZ');
    expect(at).toBeGreaterThan(0);
    marked.set([0xff, 0xfe, 0xc3, 0x28], at); // invalid in UTF-8, Latin-1 "ÿþÃ("
    const h = parseHeader(marked, 'latin.dcm');
    if (!h.ok) throw new Error(h.error.message);
    expect(h.value.seriesDescription).toBe('AX T1 \u00ff\u00fe\u00c3(');
    expect(await outcome(marked)).toBe('ok');
  });

  it('an unknown transfer syntax → unsupported-syntax; no Pixel Data → no-pixel-data', async () => {
    const unknown = rewrite(MR, (d) => {
      d.meta[tag(0x0002, 0x0010)] = { vr: 'UI', Value: ['1.2.840.10008.1.2.4.999'] };
    });
    expect(await outcome(unknown)).toBe('unsupported-syntax');
    const noPixels = rewrite(MR, (d) => {
      delete d.dict[tag(0x7fe0, 0x0010)];
    });
    expect(await outcome(noPixels)).toBe('no-pixel-data');
  });

  it('colour images → not-monochrome', async () => {
    expect(await outcome(patchUS(MR, 0x0028, 0x0002, 3))).toBe('not-monochrome');
  });

  it('an element length running past the end of the file → truncated or bad-header, never a throw', async () => {
    const at = findExplicitElement(MR, 0x0008, 0x0060); // Modality CS, 2-byte length
    const out = MR.slice();
    out[at + 6] = 0xff;
    out[at + 7] = 0x7f;
    expect(['truncated', 'bad-header']).toContain(await outcome(out));
  });

  it('a deflate bomb is refused at the inflate cap instead of filling memory', () => {
    // Part-10 preamble and meta from a real file, saying "deflated", followed by 64 MiB of zeros deflated to ~64 KiB.
    const meta = rewrite(MR, (d) => {
      d.meta[tag(0x0002, 0x0010)] = { vr: 'UI', Value: ['1.2.840.10008.1.2.1.99'] };
    });
    const bodyStart = findExplicitElement(meta, 0x0008, 0x0008);
    expect(bodyStart).toBeGreaterThan(132);
    const bomb = deflateRawSync(new Uint8Array(64 * 2 ** 20));
    const bytes = new Uint8Array(bodyStart + bomb.length);
    bytes.set(meta.subarray(0, bodyStart));
    bytes.set(bomb, bodyStart);
    const capped = parseDataSet(bytes, 2 ** 20);
    expect(!capped.ok && capped.error.reason).toBe('too-large');
    // A real deflated file still parses under the same small cap.
    expect(parseDataSet(readBytes(FIXTURES + 'image_dfl.dcm'), 2 ** 20).ok).toBe(true);
  });

  it('survives hundreds of random byte corruptions of each syntax with a value every time', async () => {
    const reasons = new Set<string>();
    for (const [k, base] of [MR, RLE, J2K, JLS].entries()) {
      for (let trial = 0; trial < 60; trial++) {
        const noise = pseudoRandomBytes(16, 1000 * k + trial + 1);
        const b = base.slice();
        for (let i = 0; i < 8; i++) {
          const pos = ((noise[2 * i]! << 8) | noise[2 * i + 1]!) % b.length;
          b[pos] = noise[(i + 3) % 16]!;
        }
        reasons.add(await outcome(b));
      }
    }
    expect(reasons.size).toBeGreaterThan(0); // reaching here means no throw and no hang
  });
});
