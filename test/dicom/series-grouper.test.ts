// SeriesGrouper (headers one at a time, for the index stage at a million files) must give exactly what
// groupIntoSeries gives: the same stacks, ids, slice order and sequence classes. Compared on a synthetic cohort's
// real headers and on hand-made edge cases (several stacks in one SeriesInstanceUID, no geometry, multi-frame).
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupIntoSeries, parseHeader, type SliceHeader } from '../../src/dicom/index.js';
import { SeriesGrouper } from '../../src/dicom/series-grouper.js';
import { generateCohort } from '../../src/synth/index.js';

const AXIAL = [1, 0, 0, 0, 1, 0] as const;
const SAGITTAL = [0, 1, 0, 0, 0, -1] as const;

function header(over: Partial<SliceHeader>): SliceHeader {
  return {
    file: 'x.dcm', patientId: 'P1', studyUid: '1.2.3', seriesUid: '1.2.3.4', sopUid: '1.2.3.4.5', seriesNumber: 3, instanceNumber: 1,
    seriesDescription: 'AX T1', modality: 'MR', position: [0, 0, 0], orientation: [...AXIAL], plane: 'axial', rows: 64, columns: 64,
    pixelSpacing: [1, 1], frames: 1, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 0, samplesPerPixel: 1,
    photometric: 'MONOCHROME2', rescaleSlope: 1, rescaleIntercept: 0, transferSyntax: '1.2.840.10008.1.2.1',
    repetitionTime: 500, echoTime: 10, inversionTime: null, contrastAgent: null, scanningSequence: 'SE',
    ...over,
  };
}

function grouped(headers: SliceHeader[]): ReturnType<typeof groupIntoSeries> {
  const g = new SeriesGrouper();
  for (const h of [...headers].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) g.add(h, `hash-of-${h.file}`);
  return [...g.series()].map(({ extras, ...s }) => {
    expect(extras).toEqual(s.slices.map((sl) => `hash-of-${sl.file}`)); // what the caller attached follows each slice
    return s;
  });
}

describe('SeriesGrouper', () => {
  it('groups a synthetic cohort exactly as groupIntoSeries does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glioflow-grouper-'));
    const cohort = await generateCohort(dir, { patients: 2, seed: 9, size: 16, slicesPerSeries: 5 });
    const headers = cohort.files.map((f) => {
      const parsed = parseHeader(readFileSync(join(dir, f)), f.slice('mri/'.length));
      if (!parsed.ok) throw new Error(parsed.error.message);
      return parsed.value;
    });
    const expected = groupIntoSeries(headers);
    expect(expected.length).toBe(cohort.seriesCount);
    expect(grouped(headers)).toEqual(expected);
  });

  it('agrees on split stacks, missing geometry, multi-frame files and id collisions', () => {
    const headers = [
      // one SeriesInstanceUID with an axial and a sagittal stack (a localiser)
      ...[0, 1, 2].map((k) => header({ file: `a/ax${k}.dcm`, position: [0, 0, 5 * (2 - k)], instanceNumber: k })),
      ...[0, 1].map((k) => header({ file: `a/sag${k}.dcm`, orientation: [...SAGITTAL], position: [k, 0, 0], instanceNumber: 10 + k })),
      // no geometry: instance order
      ...[0, 1, 2].map((k) => header({ file: `b/${k}.dcm`, seriesUid: '9.9', orientation: null, position: null, instanceNumber: 3 - k })),
      // a multi-frame file with per-frame positions
      header({ file: 'c/multi.dcm', seriesUid: '7.7', frames: 3, framePositions: [[0, 0, 2], [0, 0, 0], [0, 0, 1]] }),
      // the same patient, series number and plane in another study: same id stem, told apart
      header({ file: 'd/x.dcm', studyUid: '5.5', seriesUid: '5.5.1' }),
    ];
    expect(grouped(headers)).toEqual(groupIntoSeries(headers));
  });

  it('refuses headers out of file order', () => {
    const g = new SeriesGrouper();
    g.add(header({ file: 'b.dcm' }));
    expect(() => g.add(header({ file: 'a.dcm' }))).toThrow(/a\.dcm given after b\.dcm/);
  });
});
