// Encodes synthetic MR slices as DICOM Part-10 files with dcmjs (DicomDict, DicomMessage,
// DicomMetaDictionary.denaturalizeDataset). dcmjs writes implicit VR little endian, explicit VR
// little endian and explicit VR big endian itself; it reads but does not write deflated files,
// so for deflate we let dcmjs write the explicit-LE data set and the file meta (naming the
// deflated syntax) and compress the data set with node's zlib, as PS3.5 A.5 prescribes.
//
// Speed: dcmjs builds a new stream object per element, which made it ~2/3 of generation time.
// The ~50 attributes every slice of a series shares are therefore encoded by dcmjs once per
// series, and each file is the concatenation, in dcmjs's own tag order, of those cached runs and
// the runs dcmjs encodes for the slice's own attributes. `encodeDirect` is the plain
// one-DicomDict-per-file path; the tests check both give identical bytes.

import { createRequire } from 'node:module';
import { deflateRawSync } from 'node:zlib';

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
} as const;
export type TransferSyntaxUid = (typeof TRANSFER_SYNTAX)[keyof typeof TRANSFER_SYNTAX];

export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
/** Fixed implementation identity of the generator (PS3.7 D.3.3.2). */
export const IMPLEMENTATION_CLASS_UID = '2.25.246171937164120340385893227306207519213';
export const IMPLEMENTATION_VERSION_NAME = 'GLIOFLOW_SYNTH1';

/** The part of dcmjs this module uses (dcmjs ships no type declarations). */
interface DcmjsWriteStream {
  getBuffer(): ArrayBuffer;
}
interface DcmjsData {
  DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(options?: object): ArrayBuffer };
  DicomMetaDictionary: { denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown> };
  DicomMessage: { write(dict: Record<string, unknown>, stream: DcmjsWriteStream, syntax: string, options?: object): number };
  WriteBufferStream: new (defaultSize: number, littleEndian: boolean) => DcmjsWriteStream;
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as { data: DcmjsData };
const { DicomDict, DicomMessage, DicomMetaDictionary, WriteBufferStream } = dcmjs.data;

/** Naturalized attributes (dcmjs keyword form), without the pixel data. */
export type Attributes = Record<string, string | number | (string | number)[] | undefined>;

export interface SliceInput {
  sopInstanceUid: string;
  /** Attributes that change from slice to slice (InstanceNumber, ImagePositionPatient, ...). */
  attributes: Attributes;
  /** Stored pixel values (already rescaled back), row-major. */
  pixels: Int16Array | Uint16Array;
}

function pixelBytes(pixels: Int16Array | Uint16Array, bigEndian: boolean): ArrayBuffer {
  const out = new ArrayBuffer(pixels.byteLength);
  const bytes = Buffer.from(out);
  bytes.set(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
  // dcmjs writes OW bytes as given, so big-endian words must be swapped here.
  if (bigEndian) bytes.swap16();
  return out;
}

function defined(attributes: Attributes): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined));
}

function fileMeta(sopInstanceUid: string, transferSyntax: string): Record<string, unknown> {
  return DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: MR_IMAGE_STORAGE,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
}

/** dcmjs-encoded bytes of some data elements, in the given transfer syntax. */
function encodeElements(tags: Record<string, unknown>, syntax: string): Buffer {
  const stream = new WriteBufferStream(4096, true);
  DicomMessage.write(tags, stream, syntax, { allowInvalidVRLength: false });
  return Buffer.from(stream.getBuffer());
}

/** Preamble, "DICM" and file meta group, written by dcmjs. */
function encodeHeader(sopInstanceUid: string, transferSyntax: string): Buffer {
  const header = new DicomDict(fileMeta(sopInstanceUid, transferSyntax));
  header.dict = {};
  return Buffer.from(header.write());
}

function deflatedSyntax(ts: TransferSyntaxUid): boolean {
  return ts === TRANSFER_SYNTAX.deflatedExplicitLittle;
}

function sliceTags(slice: SliceInput, transferSyntax: TransferSyntaxUid): Record<string, unknown> {
  return DicomMetaDictionary.denaturalizeDataset({
    ...defined(slice.attributes),
    SOPInstanceUID: slice.sopInstanceUid,
    PixelData: [pixelBytes(slice.pixels, transferSyntax === TRANSFER_SYNTAX.explicitBig)],
    _vrMap: { PixelData: 'OW' },
  });
}

function finish(header: Buffer, body: Buffer, transferSyntax: TransferSyntaxUid): Buffer {
  return Buffer.concat([header, deflatedSyntax(transferSyntax) ? deflateRawSync(body, { level: 6 }) : body]);
}

/** One file, written the plain way: one DicomDict holding every element. */
export function encodeDirect(shared: Attributes, slice: SliceInput, transferSyntax: TransferSyntaxUid): Buffer {
  const writeSyntax = deflatedSyntax(transferSyntax) ? TRANSFER_SYNTAX.explicitLittle : transferSyntax;
  const dict = new DicomDict(fileMeta(slice.sopInstanceUid, writeSyntax));
  dict.dict = {
    ...DicomMetaDictionary.denaturalizeDataset({ ...defined(shared), SOPClassUID: MR_IMAGE_STORAGE }),
    ...sliceTags(slice, transferSyntax),
  };
  const file = Buffer.from(dict.write());
  if (!deflatedSyntax(transferSyntax)) return file;
  const groupLength = file.readUInt32LE(140); // value of (0002,0000): after preamble, "DICM", 8-byte element header
  return finish(encodeHeader(slice.sopInstanceUid, transferSyntax), file.subarray(144 + groupLength), transferSyntax);
}

/**
 * An encoder for the slices of one series (see the note at the top): shared attributes are
 * encoded once, per-slice attributes (which must be the same names for every slice) per file.
 */
export function seriesEncoder(shared: Attributes, transferSyntax: TransferSyntaxUid): (slice: SliceInput) => Buffer {
  const writeSyntax = deflatedSyntax(transferSyntax) ? TRANSFER_SYNTAX.explicitLittle : transferSyntax;
  const sharedTags = DicomMetaDictionary.denaturalizeDataset({ ...defined(shared), SOPClassUID: MR_IMAGE_STORAGE });
  // Runs of consecutive tags (dcmjs writes tags in string-sorted order): cached shared bytes, or
  // the list of per-slice tags to encode. Built from the first slice's tag names.
  let plan: (Buffer | string[])[] | undefined;
  let ownKeys = '';
  return (slice) => {
    const own = sliceTags(slice, transferSyntax);
    const keys = Object.keys(own).sort();
    if (plan === undefined) {
      ownKeys = keys.join();
      plan = [];
      let sharedRun: Record<string, unknown> | undefined;
      let ownRun: string[] | undefined;
      for (const tag of [...new Set([...Object.keys(sharedTags), ...keys])].sort()) {
        if (own[tag] !== undefined) {
          if (sharedRun) plan.push(encodeElements(sharedRun, writeSyntax));
          sharedRun = undefined;
          (ownRun ??= []).push(tag);
        } else {
          if (ownRun) plan.push(ownRun);
          ownRun = undefined;
          (sharedRun ??= {})[tag] = sharedTags[tag];
        }
      }
      if (sharedRun) plan.push(encodeElements(sharedRun, writeSyntax));
      if (ownRun) plan.push(ownRun);
    } else if (keys.join() !== ownKeys) {
      throw new Error(`slice attributes differ from the series' first slice: ${keys.join()} vs ${ownKeys}`);
    }
    const parts = plan.map((part) =>
      Buffer.isBuffer(part) ? part : encodeElements(Object.fromEntries(part.map((t) => [t, own[t]])), writeSyntax),
    );
    const header = encodeHeader(slice.sopInstanceUid, deflatedSyntax(transferSyntax) ? transferSyntax : writeSyntax);
    return finish(header, Buffer.concat(parts), transferSyntax);
  };
}
