// Sequential Huffman DCT JPEG (baseline SOF0 and extended SOF1) for one grey component at 8 or 12 bits.
// Hand-written because the installed libjpeg-turbo build decodes 8-bit samples only and no maintained npm package
// decodes 12-bit JPEG (DICOM "JPEG Extended", transfer syntax 1.2.840.10008.1.2.4.51). Follows ITU T.81 Annex F.
// The inverse DCT is a separable float transform, so samples may differ from libjpeg's integer IDCT by ±1.

const ZIGZAG = new Uint8Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

/** cos((2x+1)uπ/16) · C(u) / 2, indexed [x*8+u]. */
const IDCT = (() => {
  const t = new Float64Array(64);
  for (let x = 0; x < 8; x++) for (let u = 0; u < 8; u++) t[x * 8 + u] = (u === 0 ? Math.SQRT1_2 : 1) * Math.cos(((2 * x + 1) * u * Math.PI) / 16) / 2;
  return t;
})();

interface Huffman {
  maxcode: Int32Array; // largest code of each length, -1 when none
  valptr: Int32Array; // index in values of the first code of each length
  mincode: Int32Array;
  values: Uint8Array;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1]!;
    if (n > 0) {
      valptr[len] = k;
      mincode[len] = code;
      code += n;
      k += n;
      maxcode[len] = code - 1;
    }
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff; // sentinel: a code longer than 16 bits is an error, caught by the length check
  return { maxcode, valptr, mincode, values };
}

class BitReader {
  private acc = 0;
  private bits = 0;
  /** A marker has been reached: from here on the stream reads as zero bits (as libjpeg does). */
  hitMarker = false;
  constructor(
    private readonly data: Uint8Array,
    public pos: number,
  ) {}

  private fill(): void {
    let b = 0;
    if (!this.hitMarker && this.pos < this.data.length) {
      b = this.data[this.pos]!;
      if (b === 0xff) {
        const next = this.data[this.pos + 1];
        if (next === 0) this.pos += 2;
        else {
          this.hitMarker = true;
          b = 0;
        }
      } else this.pos++;
    }
    this.acc = (this.acc << 8) | b;
    this.bits += 8;
  }

  bit(): number {
    if (this.bits === 0) this.fill();
    this.bits--;
    return (this.acc >>> this.bits) & 1;
  }

  receive(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit();
    return v;
  }

  decode(h: Huffman): number {
    let code = this.bit();
    let len = 1;
    while (code > h.maxcode[len]!) {
      if (len >= 16) return -1;
      code = (code << 1) | this.bit();
      len++;
    }
    return h.values[h.valptr[len]! + code - h.mincode[len]!] ?? -1;
  }

  /** Skips to the RSTn marker that ends a restart interval. */
  restart(): boolean {
    this.acc = 0;
    this.bits = 0;
    this.hitMarker = false;
    while (this.pos + 1 < this.data.length && !(this.data[this.pos] === 0xff && this.data[this.pos + 1]! >= 0xd0 && this.data[this.pos + 1]! <= 0xd7)) this.pos++;
    if (this.pos + 1 >= this.data.length) return false;
    this.pos += 2;
    return true;
  }
}

const extend = (v: number, s: number): number => (s === 0 ? 0 : v < 1 << (s - 1) ? v - (1 << s) + 1 : v);

export interface DctImage {
  width: number;
  height: number;
  precision: number;
  samples: Uint16Array;
}

/** Decodes a single-component sequential DCT JPEG. `maxPixels` bounds what the frame header may make us allocate. */
export function decodeJpegDct(data: Uint8Array, maxPixels: number): DctImage | string {
  if (data[0] !== 0xff || data[1] !== 0xd8) return 'no JPEG SOI marker';
  const quant: (Float64Array | undefined)[] = [];
  const dc: (Huffman | undefined)[] = [];
  const ac: (Huffman | undefined)[] = [];
  let frame: { precision: number; height: number; width: number; tq: number } | undefined;
  let restartInterval = 0;
  let pos = 2;
  while (pos + 4 <= data.length) {
    if (data[pos] !== 0xff) return `expected a marker at byte ${pos}`;
    const marker = data[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    const len = (data[pos + 2]! << 8) | data[pos + 3]!;
    const seg = pos + 4;
    const end = pos + 2 + len;
    if (len < 2 || end > data.length) return `JPEG segment 0x${marker.toString(16)} runs past the data`;
    if (marker === 0xdb) {
      for (let p = seg; p < end; ) {
        const pq = data[p]! >> 4;
        const tq = data[p]! & 15;
        p++;
        const q = new Float64Array(64);
        for (let k = 0; k < 64; k++) {
          q[k] = pq ? (data[p]! << 8) | data[p + 1]! : data[p]!;
          p += pq ? 2 : 1;
        }
        if (p > end || tq > 3) return 'bad quantisation table';
        quant[tq] = q;
      }
    } else if (marker === 0xc4) {
      for (let p = seg; p < end; ) {
        const tc = data[p]! >> 4;
        const th = data[p]! & 15;
        const counts = data.subarray(p + 1, p + 17);
        let n = 0;
        for (const c of counts) n += c;
        if (p + 17 + n > end || th > 3 || n > 256) return 'bad Huffman table';
        const table = buildHuffman(counts, data.slice(p + 17, p + 17 + n));
        (tc === 0 ? dc : ac)[th] = table;
        p += 17 + n;
      }
    } else if (marker === 0xc0 || marker === 0xc1) {
      const components = data[seg + 5]!;
      if (components !== 1) return `${components} colour components`;
      frame = { precision: data[seg]!, height: (data[seg + 1]! << 8) | data[seg + 2]!, width: (data[seg + 3]! << 8) | data[seg + 4]!, tq: data[seg + 8]! };
      if (frame.precision !== 8 && frame.precision !== 12) return `${frame.precision}-bit DCT JPEG`;
      if (frame.width === 0 || frame.height === 0 || frame.width * frame.height > maxPixels) return `bad frame size ${frame.width}×${frame.height}`;
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return `unsupported: JPEG process SOF 0x${marker.toString(16)} (progressive/arithmetic/hierarchical)`;
    } else if (marker === 0xdd) {
      restartInterval = (data[seg]! << 8) | data[seg + 1]!;
    } else if (marker === 0xda) {
      if (!frame) return 'scan before frame header';
      const td = data[seg + 2]! >> 4;
      const ta = data[seg + 2]! & 15;
      const q = quant[frame.tq];
      const dcT = dc[td];
      const acT = ac[ta];
      if (!q || !dcT || !acT) return 'scan refers to a missing table';
      return decodeScan(data, end, frame, q, dcT, acT, restartInterval);
    } else if (marker === 0xd9) {
      break;
    }
    pos = end;
  }
  return 'no scan in JPEG data';
}

function decodeScan(
  data: Uint8Array,
  start: number,
  frame: { precision: number; height: number; width: number },
  q: Float64Array,
  dcT: Huffman,
  acT: Huffman,
  restartInterval: number,
): DctImage | string {
  const { width, height, precision } = frame;
  const bw = Math.ceil(width / 8);
  const bh = Math.ceil(height / 8);
  const samples = new Uint16Array(width * height);
  const coef = new Float64Array(64);
  const tmp = new Float64Array(64);
  const shift = 1 << (precision - 1);
  const max = (1 << precision) - 1;
  const reader = new BitReader(data, start);
  let pred = 0;
  for (let b = 0; b < bw * bh; b++) {
    if (restartInterval > 0 && b > 0 && b % restartInterval === 0) {
      if (!reader.restart()) return 'missing restart marker';
      pred = 0;
    }
    coef.fill(0);
    const s = reader.decode(dcT);
    if (s < 0 || s > 16) return 'bad DC code';
    pred += extend(reader.receive(s), s);
    coef[0] = pred * q[0]!;
    for (let k = 1; k < 64; ) {
      const rs = reader.decode(acT);
      if (rs < 0) return 'bad AC code';
      const r = rs >> 4;
      const sz = rs & 15;
      if (sz === 0) {
        if (r !== 15) break; // end of block
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) return 'AC coefficient index past 63';
      coef[ZIGZAG[k]!] = extend(reader.receive(sz), sz) * q[k]!;
      k++;
    }
    // Separable inverse DCT: rows, then columns.
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        let sum = 0;
        for (let u = 0; u < 8; u++) sum += IDCT[x * 8 + u]! * coef[y * 8 + u]!;
        tmp[y * 8 + x] = sum;
      }
    }
    const by = Math.floor(b / bw) * 8;
    const bx = (b % bw) * 8;
    for (let x = 0; x < 8; x++) {
      if (bx + x >= width) break;
      for (let y = 0; y < 8; y++) {
        if (by + y >= height) break;
        let sum = 0;
        for (let v = 0; v < 8; v++) sum += IDCT[y * 8 + v]! * tmp[v * 8 + x]!;
        const val = Math.round(sum) + shift;
        samples[(by + y) * width + bx + x] = val < 0 ? 0 : val > max ? max : val;
      }
    }
  }
  return { width, height, precision, samples };
}
