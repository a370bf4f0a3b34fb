// A small seeded PRNG for the bootstrap. Math.random cannot be seeded, and the intervals in results.json
// must be the same on every run and machine for the same seed, so they can be cached and compared.
// sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, public domain), state seeded by splitmix32.

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** uniform integer in [0, n) */
  int(n: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  const init = splitmix32(Math.trunc(seed));
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  // Discard the first outputs so nearby seeds diverge fully.
  for (let i = 0; i < 12; i++) next32();
  const next = (): number => next32() / 4294967296;
  return { next, int: (n: number) => Math.floor(next() * n) };
}
