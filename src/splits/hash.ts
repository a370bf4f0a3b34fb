// Seeded positions in [0, 1) that depend only on (seed, key): a patient's position never changes when other
// patients come or go, which is what keeps splits stable as a cohort grows.
import { createHash } from 'node:crypto';

export function unitHash(seed: number, ...parts: string[]): number {
  const h = createHash('sha256').update(`glioflow-split\u0000${seed}\u0000${parts.join('\u0000')}`).digest();
  // 48 bits fit exactly in a double.
  return h.readUIntBE(0, 6) / 2 ** 48;
}
