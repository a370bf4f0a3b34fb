// parseHeader: the few tags glioflow needs from one file, validated against the bytes actually present.
import type { DataSet } from 'dicom-parser';
import { err, ok, type Result } from '../engine/result.js';
import { firstItem, parseDataSet, readDouble, readNumber, readNumbers, readString, readUint16, type ParsedFile } from './dataset.js';
import { planeOf } from './geometry.js';
import { LIMITS, type DicomRejection, type Orientation, type SliceHeader, type Vec3 } from './types.js';
import { codecOf } from './uids.js';

const SHARED_GROUPS = 'x52009229';
const PER_FRAME_GROUPS = 'x52009230';

/** Enhanced multi-frame files keep geometry and MR timing in functional-group sequences instead of the top level. */
function fromGroups<T>(ds: DataSet, read: (d: DataSet) => T | undefined | null): T | null {
  const top = read(ds);
  if (top !== undefined && top !== null) return top;
  const shared = firstItem(ds, SHARED_GROUPS);
  if (shared) {
    for (const el of Object.values(shared.elements)) {
      const inner = el.items?.[0]?.dataSet;
      const v = inner ? read(inner) : undefined;
      if (v !== undefined && v !== null) return v;
    }
  }
  const perFrame = firstItem(ds, PER_FRAME_GROUPS);
  if (perFrame) {
    for (const el of Object.values(perFrame.elements)) {
      const inner = el.items?.[0]?.dataSet;
      const v = inner ? read(inner) : undefined;
      if (v !== undefined && v !== null) return v;
    }
  }
  return null;
}

const PIXEL_VALUE_TRANSFORMATION = 'x00289145';

function rescaleOf(d: DataSet | undefined): [number, number] | undefined {
  if (!d) return undefined;
  const slope = readNumber(d, 'x00281053');
  const intercept = readNumber(d, 'x00281052');
  return slope === null && intercept === null ? undefined : [slope ?? 1, intercept ?? 0];
}

/**
 * RescaleSlope/Intercept: top level for classic files; for enhanced multi-frame files the Pixel Value Transformation
 * functional group, per frame when every frame has one, else shared. Returns per-frame values only when they differ.
 */
function rescale(ds: DataSet, frames: number): { scalar: [number, number]; perFrame?: [number, number][] } {
  const top = rescaleOf(ds);
  if (top) return { scalar: top };
  const items = ds.elements[PER_FRAME_GROUPS]?.items;
  if (items && items.length === frames) {
    const per = items.map((it) => rescaleOf(firstItem(it.dataSet, PIXEL_VALUE_TRANSFORMATION)));
    if (per.every((r) => r !== undefined)) {
      const all = per as [number, number][];
      const same = all.every((r) => r[0] === all[0]![0] && r[1] === all[0]![1]);
      return same ? { scalar: all[0]! } : { scalar: all[0]!, perFrame: all };
    }
  }
  const shared = rescaleOf(firstItem(firstItem(ds, SHARED_GROUPS), PIXEL_VALUE_TRANSFORMATION));
  return { scalar: shared ?? [1, 0] };
}

function framePositions(ds: DataSet, frames: number): Vec3[] | undefined {
  const items = ds.elements[PER_FRAME_GROUPS]?.items;
  if (!items || items.length !== frames) return undefined;
  const out: Vec3[] = [];
  for (const item of items) {
    const p = item.dataSet ? readNumbers(firstItem(item.dataSet, 'x00209113') ?? item.dataSet, 'x00200032', 3) : undefined;
    if (!p) return undefined;
    out.push(p as Vec3);
  }
  return out;
}

const reject = (reason: DicomRejection['reason'], message: string) => err<DicomRejection>({ reason, message });

/** A parsed file: its header and the data set the decoders read the pixels from (parseDicom). */
export interface PixelLayout {
  parsed: ParsedFile;
  header: SliceHeader;
}

export function readLayout(bytes: Uint8Array, file: string): Result<PixelLayout, DicomRejection> {
  const p = parseDataSet(bytes);
  if (!p.ok) return p;
  const { dataSet: ds, transferSyntax, parseError } = p.value;
  const utf8 = /ISO_IR 192/i.test(readString(ds, 'x00080005') ?? '');

  const rows = readUint16(ds, 'x00280010');
  const columns = readUint16(ds, 'x00280011');
  const pixel = ds.elements['x7fe00010'];
  if (rows === undefined || columns === undefined) {
    if (parseError) return reject('truncated', `data set ends before Rows/Columns: ${parseError}`);
    if (!pixel) return reject('no-pixel-data', 'no Pixel Data (7FE0,0010) and no image dimensions');
    return reject('bad-header', 'Rows (0028,0010) or Columns (0028,0011) missing');
  }
  if (rows === 0 || columns === 0) return reject('bad-header', `image is ${rows}×${columns}`);
  if (!transferSyntax) return reject('bad-header', 'no Transfer Syntax UID (0002,0010)');
  const codec = codecOf(transferSyntax);
  if (!codec) return reject('unsupported-syntax', `transfer syntax ${transferSyntax} is not supported`);

  // Absent means one frame; present but not a positive integer is a broken header, not "one frame".
  const framesText = readString(ds, 'x00280008');
  const frames = framesText === undefined || framesText === '' ? 1 : Number(framesText);
  if (!Number.isSafeInteger(frames) || frames < 1) return reject('bad-header', `Number of Frames is '${framesText}'`);
  const samplesPerPixel = readUint16(ds, 'x00280002') ?? 1;
  const photometric = readString(ds, 'x00280004') ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : '');
  if (samplesPerPixel !== 1 || !/^MONOCHROME[12]$/.test(photometric)) {
    return reject('not-monochrome', `samples per pixel ${samplesPerPixel}, photometric ${photometric || '(none)'}`);
  }
  const bitsAllocated = readUint16(ds, 'x00280100');
  if (bitsAllocated === undefined || ![1, 8, 16, 32].includes(bitsAllocated)) {
    return reject('bad-header', `Bits Allocated is ${bitsAllocated ?? 'missing'}; 1, 8, 16 or 32 expected`);
  }
  const bitsStored = readUint16(ds, 'x00280101') ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) return reject('bad-header', `Bits Stored ${bitsStored} with Bits Allocated ${bitsAllocated}`);
  const pr = readUint16(ds, 'x00280103') ?? 0;
  if (pr !== 0 && pr !== 1) return reject('bad-header', `Pixel Representation is ${pr}`);

  const pixels = rows * columns * frames;
  if (pixels > LIMITS.maxPixelsPerFile) return reject('too-large', `${rows}×${columns}×${frames} pixels exceed the cap of ${LIMITS.maxPixelsPerFile}`);

  if (!pixel) {
    return parseError
      ? reject('truncated', `data set ends before Pixel Data: ${parseError}`)
      : reject('no-pixel-data', 'no Pixel Data (7FE0,0010)');
  }
  const available = Math.max(0, ds.byteArray.length - pixel.dataOffset);
  if (codec === 'native') {
    if (pixel.encapsulatedPixelData || pixel.hadUndefinedLength) return reject('bad-header', 'native transfer syntax with encapsulated Pixel Data');
    const needed = Math.ceil((pixels * bitsAllocated) / 8);
    const present = Math.min(pixel.length, available);
    if (present < needed) return reject('truncated', `Pixel Data holds ${present} bytes; ${rows}×${columns}×${frames} at ${bitsAllocated} bits needs ${needed}`);
  } else {
    const fragments = pixel.fragments ?? [];
    if (!pixel.encapsulatedPixelData || fragments.length === 0) {
      return parseError ? reject('truncated', `encapsulated Pixel Data cut short: ${parseError}`) : reject('bad-header', 'compressed transfer syntax without encapsulated fragments');
    }
    const last = fragments[fragments.length - 1]!;
    if (last.position + last.length > ds.byteArray.length) return reject('truncated', 'last pixel fragment runs past the end of the file');
    if (fragments.length < frames && (pixel.basicOffsetTable?.length ?? 0) < frames) {
      return reject('truncated', `${frames} frames claimed but only ${fragments.length} fragments present`);
    }
  }

  const orientation = fromGroups(ds, (d) => readNumbers(d, 'x00200037', 6)) as Orientation | null;
  const position = fromGroups(ds, (d) => readNumbers(d, 'x00200032', 3)) as Vec3 | null;
  const spacing = fromGroups(ds, (d) => readNumbers(d, 'x00280030', 2)) as [number, number] | null;
  const rs = rescale(ds, frames);
  const fp = frames > 1 ? framePositions(ds, frames) : undefined;
  const scanning = readString(ds, 'x00180020');
  const agent = readString(ds, 'x00180010', utf8);

  const header: SliceHeader = {
    file,
    patientId: readString(ds, 'x00100020', utf8) ?? '',
    studyUid: readString(ds, 'x0020000d') ?? '',
    seriesUid: readString(ds, 'x0020000e') ?? '',
    sopUid: readString(ds, 'x00080018') ?? '',
    seriesNumber: readNumber(ds, 'x00200011'),
    instanceNumber: readNumber(ds, 'x00200013'),
    seriesDescription: readString(ds, 'x0008103e', utf8) ?? '',
    modality: readString(ds, 'x00080060') ?? '',
    position,
    orientation,
    plane: planeOf(orientation),
    rows,
    columns,
    pixelSpacing: spacing,
    frames,
    bitsAllocated,
    bitsStored,
    pixelRepresentation: pr,
    samplesPerPixel,
    photometric,
    rescaleSlope: rs.scalar[0],
    rescaleIntercept: rs.scalar[1],
    transferSyntax,
    repetitionTime: fromGroups(ds, (d) => readNumber(d, 'x00180080')),
    echoTime: fromGroups(ds, (d) => readNumber(d, 'x00180081') ?? readDouble(d, 'x00189082')),
    inversionTime: fromGroups(ds, (d) => readNumber(d, 'x00180082') ?? readDouble(d, 'x00189079')),
    contrastAgent: agent === undefined || agent === '' ? null : agent,
    scanningSequence: scanning === undefined || scanning === '' ? null : scanning,
  };
  if (fp) header.framePositions = fp;
  if (rs.perFrame) header.frameRescale = rs.perFrame;
  return ok({ parsed: p.value, header });
}

/** Header of one DICOM file, or why the file can't become a slice. Never throws. */
export function parseHeader(bytes: Uint8Array, file: string): Result<SliceHeader, DicomRejection> {
  const layout = parseDicom(bytes, file);
  return layout.ok ? ok(layout.value.header) : layout;
}

/** The header and the parsed data set: what decodeFrames and storedFrames decode. Never throws. */
export function parseDicom(bytes: Uint8Array, file: string): Result<PixelLayout, DicomRejection> {
  try {
    return readLayout(bytes, file);
  } catch (e) {
    return reject('bad-header', `unexpected parse failure: ${e instanceof Error ? e.message : String(e)}`);
  }
}
