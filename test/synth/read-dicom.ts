// Test helper: reads a synthetic file with dicom-parser (independent of the dcmjs writer) and
// returns what the tests check, with pixel values converted to physical units.
import { readFileSync } from 'node:fs';
import dicomParser from 'dicom-parser';

export interface ReadSlice {
  transferSyntax: string;
  patientId: string;
  seriesDescription: string;
  seriesInstanceUid: string;
  instanceNumber: number;
  rows: number;
  columns: number;
  orientation: number[];
  position: number[];
  pixelSpacing: number[];
  pixelRepresentation: number;
  slope: number;
  intercept: number;
  contrastAgent: string | undefined;
  inversionTime: number | undefined;
  repetitionTime: number;
  echoTime: number;
  physical: Float64Array;
}

function numbers(ds: dicomParser.DataSet, tag: string): number[] {
  const s = ds.string(tag);
  return s === undefined ? [] : s.split('\\').map(Number);
}

export function readSlice(path: string): ReadSlice {
  // A Buffer, not a bare Uint8Array: dicom-parser inflates deflated files with Buffer methods.
  const bytes = readFileSync(path);
  const ds = dicomParser.parseDicom(bytes);
  const ts = ds.string('x00020010') ?? '';
  const rows = ds.uint16('x00280010') ?? 0;
  const columns = ds.uint16('x00280011') ?? 0;
  const pixelRepresentation = ds.uint16('x00280103') ?? 0;
  const slope = ds.floatString('x00281053') ?? 1;
  const intercept = ds.floatString('x00281052') ?? 0;
  const el = ds.elements['x7fe00010'];
  if (!el) throw new Error(`${path}: no pixel data`);
  const view = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, el.length);
  const little = ts !== '1.2.840.10008.1.2.2';
  const physical = new Float64Array(rows * columns);
  for (let i = 0; i < physical.length; i++) {
    const stored = pixelRepresentation === 1 ? view.getInt16(2 * i, little) : view.getUint16(2 * i, little);
    physical[i] = stored * slope + intercept;
  }
  return {
    transferSyntax: ts,
    patientId: ds.string('x00100020') ?? '',
    seriesDescription: ds.string('x0008103e') ?? '',
    seriesInstanceUid: ds.string('x0020000e') ?? '',
    instanceNumber: ds.intString('x00200013') ?? -1,
    rows,
    columns,
    orientation: numbers(ds, 'x00200037'),
    position: numbers(ds, 'x00200032'),
    pixelSpacing: numbers(ds, 'x00280030'),
    pixelRepresentation,
    slope,
    intercept,
    contrastAgent: ds.string('x00180010'),
    inversionTime: ds.floatString('x00180082'),
    repetitionTime: ds.floatString('x00180080') ?? Number.NaN,
    echoTime: ds.floatString('x00180081') ?? Number.NaN,
    physical,
  };
}

/** Area under the ROC curve of a score for binary labels (Mann–Whitney, ties count half). */
export function auroc(scores: readonly number[], labels: readonly (0 | 1)[]): number {
  let pairs = 0;
  let wins = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i]! > scores[j]!) wins++;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}
