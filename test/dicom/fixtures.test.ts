// The committed MIT-licensed fixtures (test/fixtures/dicom/files) against pydicom's values: runs without ../shared.
import { describe, expect, it } from 'vitest';
import { decodeFrames, parseDicom, parseHeader, storedFrames } from '../../src/dicom/index.js';
import { blackPixelRatio, blackPixelRatioOfStored } from '../../src/preprocess/ratios.js';
import { decodeJpegDct } from '../../src/dicom/jpeg-dct.js';
import { compareWithReference, FIXTURES, loadReference, readBytes } from './helpers.js';

const ref = loadReference();

async function decode(name: string) {
  const bytes = readBytes(FIXTURES + name);
  const h = parseDicom(bytes, name);
  if (!h.ok) return { header: undefined, parsed: undefined, result: h };
  return { header: h.value.header, parsed: h.value, result: await decodeFrames(h.value) };
}

describe('DICOM fixtures', () => {
  const decodable = Object.entries(ref.fixtures).filter(([, e]) => e.decodable);

  it('has a reference entry for every syntax we promise', () => {
    const syntaxes = new Set(decodable.map(([, e]) => e.transferSyntax));
    for (const ts of [
      '1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.5',
      '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81',
      '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91',
    ]) {
      expect(syntaxes, ts).toContain(ts);
    }
  });

  it.each(decodable.map(([name]) => name))('%s decodes to pydicom\'s modality values', async (name) => {
    const { header, result } = await decode(name);
    if (!result.ok) throw new Error(`${name}: ${result.error.reason}: ${result.error.message}`);
    expect(compareWithReference(result.value, ref.fixtures[name]!, header!.rows, header!.columns, header!.rescaleSlope)).toEqual([]);
  });

  it('storedFrames: the stored integers of every uncompressed 8/16-bit fixture, undefined for the others; rescaled they are decodeFrames\' values, and the ratio from them is the float64 one', async () => {
    let native = 0;
    for (const [name] of decodable) {
      const { header, parsed, result } = await decode(name);
      if (!header || !parsed || !result.ok) continue;
      const stored = storedFrames(parsed);
      const uncompressed = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'].includes(header.transferSyntax);
      if (!uncompressed || (header.bitsAllocated !== 8 && header.bitsAllocated !== 16)) {
        expect(stored, name).toBeUndefined();
        continue;
      }
      if (!stored?.ok) throw new Error(`${name}: storedFrames failed`);
      native++;
      expect(stored.value).toHaveLength(result.value.length);
      stored.value.forEach((f, k) => {
        const physical = Float64Array.from(f.samples, (v) => v * f.slope + f.intercept);
        expect(Float32Array.from(physical), `${name} frame ${k}`).toEqual(result.value[k]);
        expect(blackPixelRatioOfStored(f.samples, f.slope, f.intercept), `${name} frame ${k}`).toEqual(blackPixelRatio(physical));
      });
    }
    expect(native).toBeGreaterThanOrEqual(4);
  });

  it('keeps 32-bit unsigned samples beyond the 16-bit range (rtdose)', async () => {
    const { header, result } = await decode('rtdose_1frame.dcm');
    expect(header?.bitsAllocated).toBe(32);
    if (!result.ok) throw new Error(result.error.message);
    const max = result.value[0]!.reduce((m, v) => Math.max(m, v), -Infinity);
    expect(max).toBe(ref.fixtures['rtdose_1frame.dcm']!.perFrame![0]!.max);
    expect(max).toBeGreaterThan(65535);
  });

  it('decodes one frame per frame of the enhanced multi-frame RLE file', async () => {
    const { header, result } = await decode('emri_small_RLE.dcm');
    expect(header?.frames).toBe(10);
    expect(result.ok && result.value.length).toBe(10);
  });

  it('our DCT decoder agrees with libjpeg-turbo within one grey level on 8-bit baseline JPEG', async () => {
    // jpeg-dct.ts exists for 12-bit JPEG, which libjpeg-turbo's 8-bit build can't read; on 8-bit data both decoders
    // apply, so they check each other (float vs integer IDCT: ±1).
    const name = 'generated/image_dfl_jpeg_baseline.dcm';
    const { header, result } = await decode(name);
    if (!result.ok || !header) throw new Error('fixture did not decode');
    const bytes = readBytes(FIXTURES + name);
    const soi = Buffer.from(bytes).indexOf(Buffer.from([0xff, 0xd8, 0xff]));
    const eoi = Buffer.from(bytes).lastIndexOf(Buffer.from([0xff, 0xd9]));
    const ours = decodeJpegDct(bytes.subarray(soi, eoi + 2), header.rows * header.columns);
    if (typeof ours === 'string') throw new Error(ours);
    let worst = 0;
    for (let i = 0; i < ours.samples.length; i++) worst = Math.max(worst, Math.abs(ours.samples[i]! - result.value[0]![i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('rejects the truncated MR as truncated, like pydicom', async () => {
    expect(ref.fixtures['MR_truncated.dcm']!.decodable).toBe(false);
    const { result } = await decode('MR_truncated.dcm');
    expect(!result.ok && result.error.reason).toBe('truncated');
  });

  it('reads the header fields the index needs, without identifying tags', () => {
    const h = parseHeader(readBytes(FIXTURES + 'MR_small.dcm'), 'a/b/MR_small.dcm');
    if (!h.ok) throw new Error(h.error.message);
    // Values as dcmdump prints them for pydicom's MR_small.dcm.
    expect(h.value).toMatchObject({
      file: 'a/b/MR_small.dcm',
      patientId: '4MR1',
      modality: 'MR',
      rows: 64,
      columns: 64,
      frames: 1,
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 1,
      samplesPerPixel: 1,
      photometric: 'MONOCHROME2',
      transferSyntax: '1.2.840.10008.1.2.1',
      instanceNumber: 1,
      seriesUid: '1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457',
      plane: 'axial',
    });
    expect(h.value.position).toEqual([-83.9063, -91.2, 6.6406]);
    expect(h.value.pixelSpacing).toEqual([0.3125, 0.3125]);
    expect([h.value.repetitionTime, h.value.echoTime, h.value.inversionTime]).toEqual([4000, 240, null]);
    expect(Object.keys(h.value).some((k) => /name|birth/i.test(k))).toBe(false);
    expect(JSON.stringify(h.value)).not.toMatch(/CompressedSamples/); // PatientName of this file
  });
});
