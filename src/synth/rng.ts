// Seeded randomness for the synthetic cohort. Every draw comes from a stream named by what it is
// for (patient, series, purpose), so adding a draw in one place never shifts another: output
// bytes stay stable as the generator evolves, and two runs with one seed are identical.

import { createHash } from 'node:crypto';

/** 128 bits of SHA-256 over the seed and a path of names, as a BigInt. */
export function hash128(seed: number, ...path: (string | number)[]): bigint {
  const h = createHash('sha256').update(`${seed}\u0000${path.join('\u0000')}`).digest();
  return h.readBigUInt64BE(0) * 2n ** 64n + h.readBigUInt64BE(8);
}

/** sfc32 generator seeded from the hash of (seed, path); float output in [0, 1). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number, ...path: (string | number)[]) {
    const h = createHash('sha256').update(`${seed}\u0000${path.join('\u0000')}`).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  int(lo: number, hiInclusive: number): number {
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * m;
        return u * m;
      }
    }
  }

  /** Fisher–Yates shuffle of 0..n-1. */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }
}

/** A DICOM UID under the 2.25 root (UUID-derived form), fixed by the seed and a path. */
export function uidFor(seed: number, ...path: (string | number)[]): string {
  return `2.25.${hash128(seed, 'uid', ...path).toString(10)}`;
}
