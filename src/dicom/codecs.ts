// Compressed-frame decoders. The cornerstone codecs are emscripten builds (dist/*_decode.js + .wasm): each module is
// instantiated lazily, once, and dropped after a failure because an aborted emscripten instance can't be reused.
import { createRequire } from 'node:module';
import { decodeJpegDct } from './jpeg-dct.js';

const require = createRequire(import.meta.url);

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  delete(): void;
}
type WasmModule = Record<string, new () => WasmDecoder>;

/** Decoded samples of one frame, little-endian, 1 or 2 bytes per sample. */
export interface DecodedFrame {
  bytes: Uint8Array;
  bytesPerSample: 1 | 2;
  width: number;
  height: number;
  /** The codestream says its samples are signed (J2K only). */
  signed: boolean;
  /** Sample precision the codestream declares. */
  precision: number;
}

const modules = new Map<string, Promise<WasmModule>>();

function loadModule(spec: string): Promise<WasmModule> {
  let p = modules.get(spec);
  if (!p) {
    const factory = require(spec) as (arg?: object) => Promise<WasmModule>;
    // Emscripten prints aborts itself; keep that noise out of the CLI's output.
    p = factory({ print: () => undefined, printErr: () => undefined });
    modules.set(spec, p);
    p.catch(() => modules.delete(spec));
  }
  return p;
}

/**
 * A codec module that cannot be loaded. Thrown, not returned as a reason: it says nothing about the file (a broken
 * installation, or a transient error such as EMFILE), and a rejection would be cached as the file's result.
 */
export class CodecUnavailable extends Error {
  constructor(readonly codec: string, cause: unknown) {
    super(`cannot load the ${codec} codec: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'CodecUnavailable';
  }
}

async function runWasm(spec: string, cls: string, data: Uint8Array, check: (info: FrameInfo) => string | null): Promise<DecodedFrame | string> {
  let mod: WasmModule;
  try {
    mod = await loadModule(spec);
  } catch (e) {
    throw new CodecUnavailable(spec, e);
  }
  const Ctor = mod[cls];
  if (!Ctor) throw new CodecUnavailable(spec, `the module has no ${cls}`);
  let decoder: WasmDecoder | undefined;
  try {
    decoder = new Ctor();
    decoder.getEncodedBuffer(data.length).set(data);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const problem = check(info);
    if (problem) return problem;
    const bytesPerSample = info.bitsPerSample > 8 ? 2 : 1;
    const decoded = decoder.getDecodedBuffer();
    const want = info.width * info.height * bytesPerSample;
    if (decoded.length < want) return `decoder returned ${decoded.length} bytes, ${want} expected`;
    return {
      bytes: decoded.slice(0, want), // copy out: the view dies with the decoder
      bytesPerSample,
      width: info.width,
      height: info.height,
      signed: info.isSigned === true,
      precision: info.bitsPerSample,
    };
  } catch (e) {
    // A trap or abort leaves the emscripten instance unusable: start a fresh one next time. Ordinary decode errors
    // (C++ exceptions for corrupt codestreams) leave it healthy, and re-instantiating costs tens of milliseconds.
    if (e instanceof Error && (e.name === 'RuntimeError' || /abort/i.test(e.message))) modules.delete(spec);
    return `${cls} failed: ${e instanceof Error ? e.message : typeof e === 'number' ? `native exception ${e}` : String(e)}`;
  } finally {
    try {
      decoder?.delete();
    } catch {
      /* already torn down with an aborted module */
    }
  }
}

export interface JpegSof {
  marker: number;
  precision: number;
  height: number;
  width: number;
  components: number;
}

/**
 * Reads the frame header (SOFn, or SOF55 for JPEG-LS) so dimensions can be checked against the DICOM header before a
 * decoder allocates anything from them.
 */
export function readJpegSof(data: Uint8Array): JpegSof | null {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= data.length) {
    if (data[i] !== 0xff) return null;
    const marker = data[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = (data[i + 2]! << 8) | data[i + 3]!;
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof) {
      if (i + 10 > data.length) return null;
      return {
        marker,
        precision: data[i + 4]!,
        height: (data[i + 5]! << 8) | data[i + 6]!,
        width: (data[i + 7]! << 8) | data[i + 8]!,
        components: data[i + 9]!,
      };
    }
    if (marker === 0xda || len < 2) return null;
    i += 2 + len;
  }
  return null;
}

const dims = (rows: number, columns: number) => (info: FrameInfo): string | null => {
  if (info.width !== columns || info.height !== rows) return `codestream is ${info.width}×${info.height}, header says ${columns}×${rows}`;
  if (info.componentCount !== 1) return `codestream has ${info.componentCount} components`;
  return null;
};

function sofProblem(sof: JpegSof | null, rows: number, columns: number): string | null {
  if (!sof) return 'no JPEG frame header (SOF) found';
  if (sof.width !== columns || sof.height !== rows) return `codestream is ${sof.width}×${sof.height}, header says ${columns}×${rows}`;
  if (sof.components !== 1) return `codestream has ${sof.components} components`;
  return null;
}

/**
 * Whether a codestream ends with EOI (FFD9). Encoders pad fragments to even length with 0x00 or 0xFF (WG04 files
 * end "FF D9 FF"), so EOI may sit a few bytes before the end.
 */
export function endsWithEoi(data: Uint8Array): boolean {
  for (let i = data.length - 2; i >= Math.max(0, data.length - 8); i--) {
    if (data[i] === 0xff && data[i + 1] === 0xd9) return true;
    const b = data[i + 1];
    if (b !== 0x00 && b !== 0xff) return false;
  }
  return false;
}

export async function decodeJpegLS(data: Uint8Array, rows: number, columns: number): Promise<DecodedFrame | string> {
  const problem = sofProblem(readJpegSof(data), rows, columns);
  if (problem) return problem;
  // CharLS can spin for tens of seconds on a corrupt scan with no EOI marker (found by fuzzing); refuse it up front.
  if (!endsWithEoi(data)) return 'JPEG-LS codestream does not end with an EOI marker (truncated or corrupt)';
  return runWasm('@cornerstonejs/codec-charls/decodewasmjs', 'JpegLSDecoder', data, dims(rows, columns));
}

/**
 * Image size from a JPEG 2000 codestream's SIZ segment (SOC FF4F, SIZ FF51 must come first), checked before openjpeg
 * allocates from it. A JP2 file wrapper is skipped up to its codestream.
 */
export function readJ2kSize(data: Uint8Array): { width: number; height: number; components: number; start: number } | null {
  let start = 0;
  if (!(data[0] === 0xff && data[1] === 0x4f)) {
    const limit = Math.min(data.length - 1, 4096);
    start = -1;
    for (let i = 0; i < limit; i++) if (data[i] === 0xff && data[i + 1] === 0x4f && data[i + 2] === 0xff && data[i + 3] === 0x51) { start = i; break; }
    if (start < 0) return null;
  }
  if (start + 42 > data.length || data[start + 2] !== 0xff || data[start + 3] !== 0x51) return null;
  const dv = new DataView(data.buffer, data.byteOffset + start, 42);
  return {
    width: dv.getUint32(8) - dv.getUint32(16),
    height: dv.getUint32(12) - dv.getUint32(20),
    components: dv.getUint16(40),
    start,
  };
}

export async function decodeJ2k(data: Uint8Array, rows: number, columns: number): Promise<DecodedFrame | string> {
  const siz = readJ2kSize(data);
  if (!siz) return 'no JPEG 2000 codestream (SOC + SIZ) found';
  if (siz.width !== columns || siz.height !== rows) return `codestream is ${siz.width}×${siz.height}, header says ${columns}×${rows}`;
  if (siz.components !== 1) return `codestream has ${siz.components} components`;
  if (siz.start > 0) data = data.subarray(siz.start);
  return runWasm('@cornerstonejs/codec-openjpeg/decodewasmjs', 'J2KDecoder', data, dims(rows, columns));
}

/**
 * Lossy JPEG: 8-bit via libjpeg-turbo; 12-bit (JPEG extended) via our own sequential DCT decoder, because the
 * installed libjpeg-turbo build is 8-bit only.
 */
export async function decodeJpegBaseline(data: Uint8Array, rows: number, columns: number): Promise<DecodedFrame | string> {
  const sof = readJpegSof(data);
  const problem = sofProblem(sof, rows, columns);
  if (problem) return problem;
  if (sof!.precision === 12) {
    const img = decodeJpegDct(data, rows * columns);
    if (typeof img === 'string') return img.startsWith('unsupported') ? img : `12-bit JPEG: ${img}`;
    const bytes = new Uint8Array(img.samples.buffer, 0, img.samples.byteLength);
    return { bytes, bytesPerSample: 2, width: img.width, height: img.height, signed: false, precision: 12 };
  }
  if (sof!.precision !== 8) return `unsupported: ${sof!.precision}-bit lossy JPEG`;
  return runWasm('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', 'JPEGDecoder', data, dims(rows, columns));
}

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number): Uint8Array | Uint16Array | null;
}
let losslessCtor: (new () => LosslessDecoder) | undefined;

/** JPEG lossless (process 14, any predictor) via jpeg-lossless-decoder-js. */
export function decodeJpegLossless(data: Uint8Array, rows: number, columns: number): DecodedFrame | string {
  const sof = readJpegSof(data);
  const problem = sofProblem(sof, rows, columns);
  if (problem) return problem;
  if (sof!.marker !== 0xc3) return `JPEG frame type 0x${sof!.marker.toString(16)} is not lossless (SOF3)`;
  try {
    losslessCtor ??= (require('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoder }).Decoder;
    const out = new losslessCtor().decode(data.buffer as ArrayBuffer, data.byteOffset, data.length);
    if (!out || out.length < rows * columns) return 'JPEG lossless decoder returned too few samples';
    const bytesPerSample = sof!.precision > 8 ? 2 : 1;
    // The decoder returns native-endian Uint16 samples; every platform Node runs glioflow on is little-endian.
    const bytes = new Uint8Array(out.buffer, out.byteOffset, rows * columns * bytesPerSample).slice();
    return { bytes, bytesPerSample, width: columns, height: rows, signed: false, precision: sof!.precision };
  } catch (e) {
    return `JPEG lossless decoder failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}
