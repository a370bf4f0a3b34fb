// Plane detection, ordering along the slice normal and grouping, on constructed headers.
import { describe, expect, it } from 'vitest';
import { groupIntoSeries, planeOf, type Orientation, type SliceHeader, type Vec3 } from '../../src/dicom/index.js';

const AXIAL: Orientation = [1, 0, 0, 0, 1, 0];
const SAGITTAL: Orientation = [0, 1, 0, 0, 0, -1];
const CORONAL: Orientation = [1, 0, 0, 0, 0, -1];

function header(over: Partial<SliceHeader>): SliceHeader {
  return {
    file: 'x.dcm', patientId: 'P1', studyUid: '1.2.3', seriesUid: '1.2.3.4', sopUid: '1.2.3.4.5', seriesNumber: 3, instanceNumber: 1,
    seriesDescription: 'AX T1', modality: 'MR', position: [0, 0, 0], orientation: AXIAL, plane: 'axial', rows: 64, columns: 64,
    pixelSpacing: [1, 1], frames: 1, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 0, samplesPerPixel: 1,
    photometric: 'MONOCHROME2', rescaleSlope: 1, rescaleIntercept: 0, transferSyntax: '1.2.840.10008.1.2.1',
    repetitionTime: 500, echoTime: 10, inversionTime: null, contrastAgent: null, scanningSequence: 'SE',
    ...over,
  };
}

/** A stack of `n` slices 5 mm apart along `step`, with file names and instance numbers in a scrambled order. */
function stack(orientation: Orientation, step: Vec3, n: number, over: Partial<SliceHeader> = {}): SliceHeader[] {
  const order = [3, 0, 4, 1, 2].slice(0, n);
  return order.map((k, i) =>
    header({ ...over, orientation, file: `${over.seriesUid ?? 's'}/f${i}.dcm`, instanceNumber: 100 - i, position: [10 + step[0] * k, 20 + step[1] * k, 30 + step[2] * k] }),
  );
}

describe('planeOf', () => {
  it('classifies the canonical orientations', () => {
    expect(planeOf(AXIAL)).toBe('axial');
    expect(planeOf(SAGITTAL)).toBe('sagittal');
    expect(planeOf(CORONAL)).toBe('coronal');
  });

  it('keeps a 15° tilted axial axial and calls a 45° double oblique oblique', () => {
    const t = (15 * Math.PI) / 180;
    expect(planeOf([1, 0, 0, 0, Math.cos(t), -Math.sin(t)])).toBe('axial');
    const a = Math.SQRT1_2;
    expect(planeOf([a, a, 0, -a, a, 0])).toBe('axial'); // rotated 45° within the plane: normal still z
    expect(planeOf([a, a, 0, 0, 0, -1])).toBe('oblique'); // vertical plane whose normal lies halfway between x and y
    expect(planeOf([a, 0, -a, 0, 1, 0])).toBe('oblique'); // normal halfway between x and z
  });

  it('is unknown for missing or degenerate orientations', () => {
    expect(planeOf(null)).toBe('unknown');
    expect(planeOf([0, 0, 0, 0, 0, 0])).toBe('unknown');
    expect(planeOf([1, 0, 0, 1, 0, 0])).toBe('unknown');
    expect(planeOf([Number.NaN, 0, 0, 0, 1, 0])).toBe('unknown');
  });
});

describe('groupIntoSeries', () => {
  it('orders a sagittal stack by x (its normal), not by z', () => {
    // Sagittal: row (0,1,0) × col (0,0,-1) = (-1,0,0). Slices step along x; z is identical for all of them.
    const hs = stack(SAGITTAL, [5, 0, 0], 5, { seriesUid: 'sag' });
    const [g] = groupIntoSeries(hs);
    expect(g!.plane).toBe('sagittal');
    const xs = g!.slices.map((s) => hs.find((h) => h.file === s.file)!.position![0]);
    expect(xs).toEqual([30, 25, 20, 15, 10]); // along = -x ascending = x descending
    expect(g!.slices.map((s) => s.along)).toEqual([-30, -25, -20, -15, -10]);
  });

  it('orders a coronal stack by y (its normal)', () => {
    // Coronal: row (1,0,0) × col (0,0,-1) = (0,1,0).
    const hs = stack(CORONAL, [0, 5, 0], 5, { seriesUid: 'cor' });
    const [g] = groupIntoSeries(hs);
    expect(g!.plane).toBe('coronal');
    const ys = g!.slices.map((s) => hs.find((h) => h.file === s.file)!.position![1]);
    expect(ys).toEqual([20, 25, 30, 35, 40]);
  });

  it('splits one SeriesInstanceUID holding two stacks (different orientation, different size)', () => {
    const ax = stack(AXIAL, [0, 0, 5], 4, { seriesUid: 'same' });
    const sag = stack(SAGITTAL, [5, 0, 0], 3, { seriesUid: 'same' }).map((h) => ({ ...h, file: `${h.file}-sag` }));
    const small = stack(AXIAL, [0, 0, 5], 2, { seriesUid: 'same', rows: 32, columns: 32 }).map((h) => ({ ...h, file: `${h.file}-small` }));
    const groups = groupIntoSeries([...ax, ...sag, ...small]);
    expect(groups).toHaveLength(3);
    const sizes = groups.map((g) => `${g.plane}:${g.rows}:${g.slices.length}`).sort();
    expect(sizes).toEqual(['axial:32:2', 'axial:64:4', 'sagittal:64:3']);
    expect(new Set(groups.map((g) => g.id)).size).toBe(3);
  });

  it('keeps different patients and studies apart even when they share a SeriesInstanceUID', () => {
    const a = stack(AXIAL, [0, 0, 5], 2, { seriesUid: 'dup', patientId: 'A' });
    const b = stack(AXIAL, [0, 0, 5], 2, { seriesUid: 'dup', patientId: 'B' }).map((h) => ({ ...h, file: `b/${h.file}` }));
    const c = stack(AXIAL, [0, 0, 5], 2, { seriesUid: 'dup', patientId: 'A', studyUid: '9.9' }).map((h) => ({ ...h, file: `c/${h.file}` }));
    expect(groupIntoSeries([...a, ...b, ...c])).toHaveLength(3);
  });

  it('tolerates rounding noise in the orientation of one stack', () => {
    const hs = stack(AXIAL, [0, 0, 5], 3).map((h, i) => ({ ...h, orientation: [1, i * 1e-5, 0, 0, 1, 0] as Orientation }));
    expect(groupIntoSeries(hs)).toHaveLength(1);
  });

  it('gives stable, filesystem-safe ids that do not depend on input order', () => {
    const hostile = stack(AXIAL, [0, 0, 5], 3, { patientId: '../../etc/\u0001passwd\u0007 \\x', seriesUid: 'h' });
    const g1 = groupIntoSeries(hostile);
    const g2 = groupIntoSeries([...hostile].reverse());
    expect(g1[0]!.id).toBe(g2[0]!.id);
    expect(g1[0]!.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(g1[0]!.id).not.toContain('..');
    expect(g1[0]!.patientId).toBe('../../etc/\u0001passwd\u0007 \\x'); // kept as data
    expect(g1[0]!.slices.map((s) => s.file)).toEqual(g2[0]!.slices.map((s) => s.file));
  });

  it('ids stay unique when two groups differ only in characters the id drops', () => {
    const a = stack(AXIAL, [0, 0, 5], 1, { patientId: 'a/b', seriesUid: 's' });
    const b = stack(AXIAL, [0, 0, 5], 1, { patientId: 'a_b', seriesUid: 's' }).map((h) => ({ ...h, file: 'other.dcm' }));
    const ids = groupIntoSeries([...a, ...b]).map((g) => g.id);
    expect(new Set(ids).size).toBe(2);
  });

  it('yields one slice per frame for multi-frame files, using per-frame positions when present', () => {
    const h = header({ frames: 3, framePositions: [[0, 0, 10], [0, 0, 0], [0, 0, 5]], position: [0, 0, 10] });
    const [g] = groupIntoSeries([h]);
    expect(g!.slices.map((s) => [s.frame, s.along])).toEqual([[1, 0], [2, 5], [0, 10]]);
    const plain = header({ frames: 3 });
    expect(groupIntoSeries([plain])[0]!.slices.map((s) => s.frame)).toEqual([0, 1, 2]);
  });

  it('classifies each group from its description and timing', () => {
    const t2 = stack(AXIAL, [0, 0, 5], 2, { seriesUid: 't2', seriesDescription: 'AX T2 FSE', repetitionTime: 4000, echoTime: 100 });
    expect(groupIntoSeries(t2)[0]!.sequence).toBe('T2');
  });
});
