import { describe, expect, it } from 'vitest';
import { encodeDirect, seriesEncoder, TRANSFER_SYNTAX } from '../../src/synth/dicom-file.js';

// The series encoder caches dcmjs-encoded runs of shared attributes; it must produce exactly the
// bytes of the plain path, where one dcmjs DicomDict holds every element of the file.
describe('seriesEncoder', () => {
  const shared = {
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: ['ORIGINAL', 'PRIMARY', 'OTHER'],
    StudyDate: '19990101',
    Modality: 'MR',
    SeriesDescription: 'AX T1',
    PatientID: 'TCGA-S1-0001',
    ContrastBolusAgent: undefined,
    RepetitionTime: '500',
    SeriesNumber: 5,
    StudyInstanceUID: '2.25.1',
    SeriesInstanceUID: '2.25.2',
    ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
    Rows: 2,
    Columns: 3,
    PixelSpacing: ['3.75', '3.75'],
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    RescaleSlope: '0.5',
    RescaleIntercept: '-1000',
  };
  for (const ts of Object.values(TRANSFER_SYNTAX)) {
    it(`gives the bytes of a direct dcmjs write (${ts})`, () => {
      const encode = seriesEncoder(shared, ts);
      for (let i = 0; i < 3; i++) {
        const slice = {
          sopInstanceUid: `2.25.10${i}`,
          attributes: { InstanceNumber: i + 1, ImagePositionPatient: ['-1', '-2', String(i * 5)], SliceLocation: String(i * 5) },
          pixels: new Int16Array([i, -1, 2, -30000, 30000, 7]),
        };
        const cached = encode(slice);
        expect(cached.equals(encodeDirect(shared, slice, ts))).toBe(true);
        expect(cached.subarray(128, 132).toString('latin1')).toBe('DICM');
      }
    });
  }

  it('refuses a slice whose own attribute names differ from the first slice', () => {
    const encode = seriesEncoder(shared, TRANSFER_SYNTAX.explicitLittle);
    const pixels = new Int16Array(6);
    encode({ sopInstanceUid: '2.25.7', attributes: { InstanceNumber: 1 }, pixels });
    expect(() => encode({ sopInstanceUid: '2.25.8', attributes: { InstanceNumber: 2, SliceLocation: '1' }, pixels })).toThrow();
  });
});
