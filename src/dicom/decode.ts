// decodeFrames: every frame of a file as modality values, or why not. Throws only when a codec cannot be loaded;
// never allocates from an unchecked header size (parseDicom has compared every claim with the bytes present).
import type { DataSet, Element } from 'dicom-parser';
import { err, ok, type Result } from '../engine/result.js';
import { CodecUnavailable, decodeJ2k, decodeJpegBaseline, decodeJpegLossless, decodeJpegLS, type DecodedFrame } from './codecs.js';
import type { PixelLayout } from './header.js';
import { readBits, readSamples, rescaleInto, type SampleFormat } from './pixels.js';
import { decodeRleFrame } from './rle.js';
import type { DicomRejection, SliceHeader } from './types.js';
import { codecOf, TS } from './uids.js';

const fail = (reason: DicomRejection['reason'], message: string) => err<DicomRejection>({ reason, message });

/** Compressed bytes of each frame. Fragments that start a new codestream (JPEG SOI, J2K SOC) start a new frame. */
function frameFragments(ds: DataSet, pixel: Element, frames: number): Uint8Array[] | string {
  const bytes = ds.byteArray;
  const fragments = pixel.fragments ?? [];
  const slice = (i: number) => bytes.subarray(fragments[i]!.position, fragments[i]!.position + fragments[i]!.length);
  const concat = (from: number, to: number): Uint8Array => {
    if (to - from === 1) return slice(from);
    let total = 0;
    for (let i = from; i < to; i++) total += fragments[i]!.length;
    const out = new Uint8Array(total);
    let o = 0;
    for (let i = from; i < to; i++) {
      out.set(slice(i), o);
      o += fragments[i]!.length;
    }
    return out;
  };
  if (frames === 1) return [concat(0, fragments.length)];
  if (fragments.length === frames) return fragments.map((_, i) => slice(i));
  const bot = pixel.basicOffsetTable ?? [];
  if (bot.length === frames) {
    // Offsets are relative to the first fragment's item tag; map each to the fragment that starts there.
    const starts = bot.map((off) => fragments.findIndex((f) => f.offset === off));
    if (starts.some((s, i) => s < 0 || (i > 0 && s <= starts[i - 1]!))) return 'basic offset table does not match the fragments';
    return starts.map((s, i) => concat(s, i + 1 < starts.length ? starts[i + 1]! : fragments.length));
  }
  const starts: number[] = [];
  fragments.forEach((f, i) => {
    const b0 = bytes[f.position];
    const b1 = bytes[f.position + 1];
    if (b0 === 0xff && (b1 === 0xd8 || b1 === 0x4f)) starts.push(i);
  });
  if (starts.length !== frames || starts[0] !== 0) return `cannot split ${fragments.length} fragments into ${frames} frames`;
  return starts.map((s, i) => concat(s, i + 1 < starts.length ? starts[i + 1]! : fragments.length));
}

/** Frame f's stored samples of an uncompressed 8/16/32-bit file (a view on the bytes when they are aligned little endian). */
function nativeSamples(ds: DataSet, pixel: Element, h: SliceHeader, f: number): ArrayLike<number> {
  const pixels = h.rows * h.columns;
  const bps = (h.bitsAllocated / 8) as 1 | 2 | 4;
  return readSamples(ds.byteArray, pixel.dataOffset + f * pixels * bps, pixels, bps, h.transferSyntax === TS.explicitBE, { signed: h.pixelRepresentation === 1, signBits: 0 });
}

function nativeFrames(ds: DataSet, pixel: Element, h: SliceHeader): Float32Array[] {
  const pixels = h.rows * h.columns;
  const out: Float32Array[] = [];
  for (let f = 0; f < h.frames; f++) {
    const frame = new Float32Array(pixels);
    const samples = h.bitsAllocated === 1 ? readBits(ds.byteArray, pixel.dataOffset, f * pixels, pixels) : nativeSamples(ds, pixel, h, f);
    rescaleInto(frame, samples, ...rescaleFor(h, f));
    out.push(frame);
  }
  return out;
}

/** Where a parsed file's pixels are. */
function pixelsOf(parsed: PixelLayout): { h: SliceHeader; ds: DataSet; pixel: Element } {
  const ds = parsed.parsed.dataSet;
  return { h: parsed.header, ds, pixel: ds.elements['x7fe00010']! };
}

function rescaleFor(h: SliceHeader, frame: number): [number, number] {
  return h.frameRescale?.[frame] ?? [h.rescaleSlope, h.rescaleIntercept];
}

function rleFrame(data: Uint8Array, h: SliceHeader, f: number): Float32Array | string {
  const pixels = h.rows * h.columns;
  const bps = h.bitsAllocated / 8;
  if (!Number.isInteger(bps)) return `RLE with ${h.bitsAllocated} bits allocated is not supported`;
  const planes = decodeRleFrame(data, pixels, bps);
  if (typeof planes === 'string') return planes;
  // Segments are byte planes, most significant first: reassemble big-endian samples.
  const joined = new Uint8Array(pixels * bps);
  for (let p = 0; p < bps; p++) {
    const plane = planes[p]!;
    for (let i = 0, o = p; i < pixels; i++, o += bps) joined[o] = plane[i]!;
  }
  const samples = readSamples(joined, 0, pixels, bps as 1 | 2 | 4, true, { signed: h.pixelRepresentation === 1, signBits: 0 });
  const frame = new Float32Array(pixels);
  rescaleInto(frame, samples, ...rescaleFor(h, f));
  return frame;
}

/**
 * Codec output → modality values. JPEG-family codecs return the stored bits as unsigned N-bit samples; a signed
 * image (PixelRepresentation 1) is recovered by sign extension from the codestream's precision.
 */
function codecFrame(d: DecodedFrame, h: SliceHeader, f: number): Float32Array {
  const pixels = h.rows * h.columns;
  const signed = h.pixelRepresentation === 1;
  const signBits = signed && !d.signed ? Math.min(d.precision, d.bytesPerSample * 8) : 0;
  const samples = readSamples(d.bytes, 0, pixels, d.bytesPerSample, false, { signed: signed || d.signed, signBits });
  const frame = new Float32Array(pixels);
  rescaleInto(frame, samples, ...rescaleFor(h, f));
  return frame;
}

/**
 * Every frame of a parsed file (parseDicom) as float32 modality values, row-major rows × columns. Whatever the file
 * holds gives a value or a rejection; only a codec that cannot be loaded throws (CodecUnavailable: not the file's fault).
 */
export async function decodeFrames(parsed: PixelLayout): Promise<Result<Float32Array[], DicomRejection>> {
  try {
    const { h, ds, pixel } = pixelsOf(parsed);
    const codec = codecOf(h.transferSyntax);
    if (codec === 'native') return ok(nativeFrames(ds, pixel, h));
    if (h.bitsAllocated === 1 || h.bitsAllocated === 32 && codec !== 'rle') {
      return fail('unsupported-syntax', `${h.bitsAllocated}-bit pixels in ${h.transferSyntax}`);
    }
    const parts = frameFragments(ds, pixel, h.frames);
    if (typeof parts === 'string') return fail('truncated', parts);
    const frames: Float32Array[] = [];
    for (const [i, data] of parts.entries()) {
      let frame: Float32Array | string;
      if (codec === 'rle') frame = rleFrame(data, h, i);
      else {
        let d: DecodedFrame | string;
        if (codec === 'jpeg-lossless') d = decodeJpegLossless(data, h.rows, h.columns);
        else if (codec === 'jpeg-ls') d = await decodeJpegLS(data, h.rows, h.columns);
        else if (codec === 'j2k') d = await decodeJ2k(data, h.rows, h.columns);
        else d = await decodeJpegBaseline(data, h.rows, h.columns);
        frame = typeof d === 'string' ? d : codecFrame(d, h, i);
      }
      if (typeof frame === 'string') {
        const reason = frame.startsWith('unsupported') ? 'unsupported-syntax' : 'decode-failed';
        return fail(reason, `frame ${i}: ${frame}`);
      }
      frames.push(frame);
    }
    return ok(frames);
  } catch (e) {
    if (e instanceof CodecUnavailable) throw e;
    return fail('decode-failed', `unexpected decode failure: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** One frame's stored samples (integers) and the rescale that makes them modality values. */
export interface StoredFrame {
  samples: Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
  slope: number;
  intercept: number;
}

/**
 * Every frame's stored integer samples, without the float conversion, for uncompressed 8/16-bit files (where they are
 * the bytes themselves): a consumer that only needs order statistics can apply the rescale to two values instead of
 * every pixel. Other files (compressed, 1- or 32-bit) give undefined: use decodeFrames. Never throws.
 */
export function storedFrames(parsed: PixelLayout): Result<StoredFrame[], DicomRejection> | undefined {
  const { h, ds, pixel } = pixelsOf(parsed);
  if (codecOf(h.transferSyntax) !== 'native' || (h.bitsAllocated !== 8 && h.bitsAllocated !== 16)) return undefined;
  try {
    const frames: StoredFrame[] = [];
    for (let f = 0; f < h.frames; f++) {
      const [slope, intercept] = rescaleFor(h, f);
      frames.push({ samples: nativeSamples(ds, pixel, h, f) as StoredFrame['samples'], slope, intercept });
    }
    return ok(frames);
  } catch (e) {
    return fail('decode-failed', `unexpected decode failure: ${e instanceof Error ? e.message : String(e)}`);
  }
}
