// Every shared sample file against pydicom's pixel values (reference.json, made by make_reference.py).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFrames, groupIntoSeries, parseDicom, type DicomRejection, type SliceHeader } from '../../src/dicom/index.js';
import { compareWithReference, loadReference, readBytes, SHARED_SAMPLES } from './helpers.js';

const present = existsSync(SHARED_SAMPLES + 'MANIFEST.tsv');
if (!present) console.warn('skipping DICOM sample tests: ../shared/data/dicom-samples not present');

const REASONS: readonly DicomRejection['reason'][] = [
  'empty', 'not-dicom', 'truncated', 'unsupported-syntax', 'no-pixel-data', 'too-large', 'bad-header', 'decode-failed', 'not-monochrome',
];

describe.skipIf(!present)('shared DICOM samples', () => {
  const ref = loadReference();
  const names = Object.keys(ref.files);
  const headers: SliceHeader[] = [];
  const outcome = new Map<string, string>();

  it('covers the whole manifest', () => {
    expect(names.length).toBe(275);
  });

  it('decodes every file pydicom decodes to the same values, and rejects the rest by a named reason', async () => {
    const problems: string[] = [];
    for (const name of names) {
      const expected = ref.files[name]!;
      const bytes = readBytes(SHARED_SAMPLES + name);
      const h = parseDicom(bytes, name);
      const d = h.ok ? await decodeFrames(h.value) : h;
      if (h.ok) headers.push(h.value.header);
      if (!d.ok) {
        outcome.set(name, d.error.reason);
        if (!REASONS.includes(d.error.reason)) problems.push(`${name}: unknown reason ${d.error.reason}`);
        if (expected.decodable) problems.push(`${name}: pydicom decodes it, we reject: ${d.error.reason} ${d.error.message}`);
        continue;
      }
      outcome.set(name, 'decoded');
      if (!expected.decodable) continue; // we decode some files pydicom can't (checked below where a sibling exists)
      const hv = h.ok ? h.value.header : undefined;
      for (const p of compareWithReference(d.value, expected, hv!.rows, hv!.columns, hv!.rescaleSlope)) problems.push(`${name}: ${p}`);
    }
    expect(problems).toEqual([]);
    const decoded = [...outcome.values()].filter((v) => v === 'decoded').length;
    expect(decoded).toBeGreaterThanOrEqual(260);
  });

  it('names the expected reason for the malformed samples', () => {
    expect(outcome.get('pydicom/MR_truncated.dcm')).toBe('truncated');
    expect(outcome.get('pydicom/rtplan_truncated.dcm')).toBe('truncated');
    expect(outcome.get('pydicom/ExplVR_LitEndNoMeta.dcm')).toBe('no-pixel-data');
    expect(outcome.get('pydicom/ExplVR_BigEndNoMeta.dcm')).toBe('no-pixel-data');
    expect(outcome.get('dwv/dwv-test_no-number-rows.dcm')).toBe('bad-header');
    expect(outcome.get('pydicom-data/liver_deflate.dcm')).toBe('unsupported-syntax');
  });

  it('decodes the too-short J2K file to the same frames as its intact original', async () => {
    const name = 'pydicom-data/emri_small_jpeg_2k_lossless_too_short.dcm';
    const bytes = readBytes(SHARED_SAMPLES + name);
    const h = parseDicom(bytes, name);
    if (!h.ok) throw new Error(h.error.message);
    const d = await decodeFrames(h.value);
    if (!d.ok) throw new Error(d.error.message);
    expect(compareWithReference(d.value, ref.files['pydicom-data/emri_small_jpeg_2k_lossless.dcm']!, 64, 64)).toEqual([]);
  });

  it('groups the six babymri sagittal slices into one stack ordered along the normal, in instance order', () => {
    const bb = headers.filter((h) => h.file.startsWith('dwv/bbmri-'));
    expect(bb).toHaveLength(6);
    const groups = groupIntoSeries(bb);
    expect(groups).toHaveLength(1);
    const g = groups[0]!;
    expect(g.plane).toBe('sagittal');
    const instance = new Map(bb.map((h) => [h.file, h.instanceNumber!]));
    const inst = g.slices.map((s) => instance.get(s.file)!);
    const ascending = [...inst].sort((a, b) => a - b);
    expect(inst[0]! < inst[5]! ? inst : [...inst].reverse()).toEqual(ascending);
    const steps = g.slices.slice(1).map((s, i) => s.along - g.slices[i]!.along);
    for (const step of steps) expect(step).toBeCloseTo(9, 1); // InstanceNumber step 9 at 1 mm spacing
  });

  it('gives one slice per frame of an enhanced multi-frame file, ordered by its per-frame positions', () => {
    // dcmdump: per-frame ImagePositionPatient z = -159 then -149; ImageOrientationPatient -1\0\0\0\1\0, so the
    // normal row × col is (0,0,-1) and "along" is -z: frame 1 (149) comes before frame 0 (159).
    const h = headers.find((x) => x.file === 'pydicom-data/eCT_Supplemental.dcm')!;
    expect(h.frames).toBe(2);
    expect(h.framePositions).toEqual([
      [99.5, -301.5, -159],
      [99.5, -301.5, -149],
    ]);
    const g = groupIntoSeries([h]);
    expect(g).toHaveLength(1);
    expect(g[0]!.plane).toBe('axial');
    expect(g[0]!.slices.map((s) => [s.frame, s.along])).toEqual([
      [1, 149],
      [0, 159],
    ]);
  });
});
