// Stored pixel samples → modality values (RescaleSlope × stored + RescaleIntercept), computed in float64 and stored as
// float32. Tight loops over typed arrays only: this runs for every pixel glioflow ingests.

/** How stored samples become integers: signed or not, and from how many bits a sign is extended. */
export interface SampleFormat {
  signed: boolean;
  /** Sign-extend from this many bits (0 = the sample's full width already carries the sign). */
  signBits: number;
}

export function rescaleInto(out: Float32Array, src: ArrayLike<number>, slope: number, intercept: number): void {
  const n = out.length;
  if (slope === 1 && intercept === 0) {
    if (ArrayBuffer.isView(src)) out.set(src as unknown as ArrayLike<number>);
    else for (let i = 0; i < n; i++) out[i] = src[i]!;
    return;
  }
  for (let i = 0; i < n; i++) out[i] = src[i]! * slope + intercept;
}

/** Sign-extends samples in place from `bits` bits (two's complement), for codecs that return unsigned N-bit data. */
export function signExtend(values: Int32Array, bits: number): void {
  const shift = 32 - bits;
  for (let i = 0; i < values.length; i++) values[i] = (values[i]! << shift) >> shift;
}

/**
 * Little- or big-endian integer samples at `offset` in `bytes`, as a typed array of `count` values. Aligned
 * little-endian data is viewed without copying.
 */
export function readSamples(bytes: Uint8Array, offset: number, count: number, bytesPerSample: 1 | 2 | 4, bigEndian: boolean, fmt: SampleFormat): ArrayLike<number> {
  const abs = bytes.byteOffset + offset;
  let values: Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
  if (bytesPerSample === 1) {
    values = fmt.signed ? new Int8Array(bytes.buffer, abs, count) : new Uint8Array(bytes.buffer, abs, count);
  } else if (!bigEndian && abs % bytesPerSample === 0) {
    if (bytesPerSample === 2) values = fmt.signed ? new Int16Array(bytes.buffer, abs, count) : new Uint16Array(bytes.buffer, abs, count);
    else values = fmt.signed ? new Int32Array(bytes.buffer, abs, count) : new Uint32Array(bytes.buffer, abs, count);
  } else {
    const dv = new DataView(bytes.buffer, abs, count * bytesPerSample);
    const le = !bigEndian;
    if (bytesPerSample === 2) {
      values = fmt.signed ? new Int16Array(count) : new Uint16Array(count);
      if (fmt.signed) for (let i = 0; i < count; i++) values[i] = dv.getInt16(2 * i, le);
      else for (let i = 0; i < count; i++) values[i] = dv.getUint16(2 * i, le);
    } else {
      values = fmt.signed ? new Int32Array(count) : new Uint32Array(count);
      if (fmt.signed) for (let i = 0; i < count; i++) values[i] = dv.getInt32(4 * i, le);
      else for (let i = 0; i < count; i++) values[i] = dv.getUint32(4 * i, le);
    }
  }
  if (fmt.signed && fmt.signBits > 0 && fmt.signBits < bytesPerSample * 8) {
    const ext = Int32Array.from(values);
    signExtend(ext, fmt.signBits);
    return ext;
  }
  return values;
}

/** 1-bit samples (segmentations), packed least significant bit first, starting at bit `bitOffset`. */
export function readBits(bytes: Uint8Array, offset: number, bitOffset: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = bitOffset + i;
    out[i] = (bytes[offset + (bit >>> 3)]! >>> (bit & 7)) & 1;
  }
  return out;
}
