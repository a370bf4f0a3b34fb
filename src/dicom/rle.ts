// DICOM RLE Lossless (PS3.5 Annex G), hand-written: no maintained npm package decodes it on its own, and it is a
// 64-byte header of segment offsets plus one PackBits stream per byte plane.

/**
 * Decodes one RLE frame into `bytesPerSample` byte planes of `pixels` bytes each, most significant plane first
 * (that is how DICOM orders the segments). Returns an error string on malformed input; never reads or writes out
 * of bounds.
 */
export function decodeRleFrame(src: Uint8Array, pixels: number, bytesPerSample: number): Uint8Array[] | string {
  if (src.length < 64) return 'RLE header shorter than 64 bytes';
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const segments = dv.getUint32(0, true);
  if (segments !== bytesPerSample) return `RLE frame has ${segments} segments, ${bytesPerSample} expected`;
  const planes: Uint8Array[] = [];
  for (let s = 0; s < segments; s++) {
    const start = dv.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? dv.getUint32(8 + 4 * s, true) : src.length;
    if (start < 64 || start > src.length || end < start || end > src.length) return `RLE segment ${s} offsets out of range`;
    const out = new Uint8Array(pixels);
    let i = start;
    let o = 0;
    while (o < pixels && i < end) {
      const n = src[i++]!;
      if (n < 128) {
        // literal run of n+1 bytes
        const len = Math.min(n + 1, pixels - o, end - i);
        out.set(src.subarray(i, i + len), o);
        o += len;
        i += n + 1;
      } else if (n > 128) {
        // replicate next byte 257-n times
        if (i >= end) break;
        const len = Math.min(257 - n, pixels - o);
        out.fill(src[i++]!, o, o + len);
        o += len;
      } // 128 is a no-op
    }
    if (o < pixels) return `RLE segment ${s} decodes to ${o} of ${pixels} bytes`;
    planes.push(out);
  }
  return planes;
}
