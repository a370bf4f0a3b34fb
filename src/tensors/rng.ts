// Small seeded PRNG (mulberry32) for shuffling: reproducible across runs and platforms, unlike Math.random.
import { unitHash } from '../splits/hash.js';

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent stream per (seed, epoch): epochs differ, reruns repeat. */
export function epochRng(seed: number, epoch: number): Rng {
  return mulberry32(Math.floor(unitHash(seed, 'epoch', String(epoch)) * 2 ** 32));
}

export function shuffleInPlace<T>(xs: T[], rng: Rng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
  return xs;
}
