// A head-like phantom in patient coordinates (DICOM LPS, millimetres) and the per-sequence
// tissue contrasts that turn it into MR-looking slices. The tumour carries the planted
// mutation signal (see README.md): ring enhancement (TP53), size (PTEN), texture (EGFR),
// edema extent and FLAIR brightness (IDH).

import type { Rng } from './rng.js';

export type Sequence = 'T1' | 'T1POST' | 'T2' | 'FLAIR' | 'DTI';

/** Which tumour phenotypes the images show (the labels may differ: see noiseLabel). */
export interface ImageTraits {
  TP53: boolean;
  PTEN: boolean;
  EGFR: boolean;
  IDH: boolean;
}

export interface Anatomy {
  head: { c: [number, number, number]; a: [number, number, number] };
  ventricles: { c: [number, number, number]; a: [number, number, number] }[];
  lesion: { c: [number, number, number]; radius: number; edemaRadius: number };
  traits: ImageTraits;
}

type Vec3 = [number, number, number];

/** Planted-signal strengths, in one place so README.md and tests can refer to them. */
export const SIGNAL = {
  /** T1POST / FLAIR relative intensity of the lesion rim with and without TP53. */
  ringT1post: { TP53: 1.9, other: 0.8 },
  ringFlair: { TP53: 1.6, other: 1.1 },
  /** Lesion radius (mm, left–right): mean and spread with and without PTEN. */
  radius: { PTEN: 15, other: 10, spread: 2 },
  /**
   * The lesion (and its edema) is an ellipsoid, this many times longer front–back and top–bottom
   * than left–right (GBMs spread along white-matter tracts): so it crosses several of the axial
   * and coronal slices the slice filter keeps, not one, and a per-slice model sees it often.
   */
  elongation: 1.8,
  /** Amplitude of the 3-D sinusoidal texture inside lesion and edema (T1POST, T2, FLAIR). */
  texture: { EGFR: 0.3, other: 0, wavelengthMm: 12 },
  /** Edema radius as a multiple of the lesion radius, and FLAIR/T2 lesion gain, with IDH. */
  idh: { edemaIDH: 1.25, edemaOther: 1.6, flairGainIDH: 0.92 },
} as const;

export function makeAnatomy(rng: Rng, traits: ImageTraits): Anatomy {
  const s = rng.uniform(0.92, 1.08);
  const head: Anatomy['head'] = {
    c: [rng.uniform(-4, 4), rng.uniform(-6, 6), rng.uniform(-4, 4)],
    a: [70 * s, 88 * s, 78 * s],
  };
  const [hx, hy, hz] = head.c;
  const ventricles: Anatomy['ventricles'] = [-1, 1].map((side) => ({
    c: [hx + side * 7 * s, hy - 4 * s, hz + 8 * s] as Vec3,
    a: [5 * s, 20 * s, 9 * s] as Vec3,
  }));
  const { radius: R } = SIGNAL;
  const radius = Math.max(5, (traits.PTEN ? R.PTEN : R.other) + R.spread * rng.normal());
  // Lesion in one hemisphere, away from the midline and inside the brain, and near the head's
  // axial and coronal mid-planes: the slice filter keeps the most brain-filled slices, which
  // lie there, and a lesion outside them would plant a label no kept slice shows.
  const side = rng.next() < 0.5 ? -1 : 1;
  const lesion = {
    c: [hx + side * rng.uniform(22, 34) * s, hy + rng.uniform(-12, 12) * s, hz + rng.uniform(-6, 6) * s] as Vec3,
    radius,
    edemaRadius: radius * (traits.IDH ? SIGNAL.idh.edemaIDH : SIGNAL.idh.edemaOther),
  };
  return { head, ventricles, lesion, traits };
}

interface Contrast {
  wm: number;
  gm: number;
  csf: number;
  scalp: number;
  core: number;
  rim: number;
  edema: number;
}

function contrast(seq: Sequence, t: ImageTraits): Contrast {
  const flairGain = t.IDH ? SIGNAL.idh.flairGainIDH : 1;
  switch (seq) {
    case 'T1':
      return { wm: 1.0, gm: 0.75, csf: 0.3, scalp: 1.1, core: 0.5, rim: 0.62, edema: 0.68 };
    case 'T1POST':
      return {
        wm: 1.0, gm: 0.78, csf: 0.3, scalp: 1.1, core: 0.5,
        rim: t.TP53 ? SIGNAL.ringT1post.TP53 : SIGNAL.ringT1post.other, edema: 0.7,
      };
    case 'T2':
      return { wm: 0.55, gm: 0.75, csf: 1.6, scalp: 0.8, core: 1.35 * flairGain, rim: 1.0, edema: 1.15 * flairGain };
    case 'FLAIR':
      return {
        wm: 0.6, gm: 0.75, csf: 0.15, scalp: 0.9, core: 0.9 * flairGain,
        rim: (t.TP53 ? SIGNAL.ringFlair.TP53 : SIGNAL.ringFlair.other) * flairGain, edema: 1.3 * flairGain,
      };
    case 'DTI':
      // b = 0 EPI look: fat suppressed, CSF bright, no tumour-specific contrast.
      return { wm: 0.7, gm: 0.8, csf: 1.5, scalp: 0.08, core: 1.1, rim: 1.0, edema: 1.05 };
  }
}

/** Relative tissue intensity (white matter on T1 = 1) at a patient-space point (x, y, z). */
export function tissueAt(anat: Anatomy, seq: Sequence, x: number, y: number, z: number, k: Contrast = contrast(seq, anat.traits)): number {
  const { c, a } = anat.head;
  const dx = (x - c[0]) / a[0];
  const dy = (y - c[1]) / a[1];
  const dz = (z - c[2]) / a[2];
  const rh = dx * dx + dy * dy + dz * dz;
  if (rh > 1) return 0;
  if (rh > 0.8) return rh > 0.88 ? k.scalp : 0.05 * k.scalp; // scalp, then dark skull
  for (const v of anat.ventricles) {
    const vx = (x - v.c[0]) / v.a[0];
    const vy = (y - v.c[1]) / v.a[1];
    const vz = (z - v.c[2]) / v.a[2];
    if (vx * vx + vy * vy + vz * vz < 1) return k.csf;
  }
  const L = anat.lesion;
  const lx = x - L.c[0];
  const ly = (y - L.c[1]) / SIGNAL.elongation;
  const lz = (z - L.c[2]) / SIGNAL.elongation;
  const d2 = lx * lx + ly * ly + lz * lz;
  if (d2 < L.edemaRadius * L.edemaRadius) {
    const d = Math.sqrt(d2);
    let v = d < 0.55 * L.radius ? k.core : d < L.radius ? k.rim : k.edema;
    if (anat.traits.EGFR && seq !== 'T1' && seq !== 'DTI') {
      const w = (2 * Math.PI) / SIGNAL.texture.wavelengthMm;
      v *= 1 + SIGNAL.texture.EGFR * Math.sin(w * x) * Math.sin(w * y) * Math.sin(w * z);
    }
    return v;
  }
  // Grey matter outside, white matter inside, with a gentle gyral ripple at the boundary.
  const ripple = 0.04 * Math.sin(dx * 23) * Math.sin(dy * 19);
  return rh < 0.42 + ripple ? k.wm : k.gm;
}

export interface SliceGeometry {
  /** Patient position of the centre of the first (top-left) pixel. */
  position: Vec3;
  /** Direction of increasing column index, then of increasing row index (ImageOrientationPatient). */
  rowDir: Vec3;
  colDir: Vec3;
  pixelSpacing: number;
  size: number;
}

/**
 * Renders one slice: physical intensity = scale · tissue · (1 + tissue noise), plus a
 * half-normal background (half of the air pixels exactly 0, as magnitude images clipped at 0).
 */
export function renderSlice(anat: Anatomy, seq: Sequence, g: SliceGeometry, scale: number, rng: Rng): Float64Array {
  const k = contrast(seq, anat.traits);
  const out = new Float64Array(g.size * g.size);
  const noise = seq === 'DTI' ? 0.06 : 0.015;
  const [px, py, pz] = g.position;
  const [rx, ry, rz] = g.rowDir.map((v) => v * g.pixelSpacing) as Vec3;
  const [cx, cy, cz] = g.colDir.map((v) => v * g.pixelSpacing) as Vec3;
  for (let r = 0; r < g.size; r++) {
    for (let c = 0; c < g.size; c++) {
      const t = tissueAt(anat, seq, px + c * rx + r * cx, py + c * ry + r * cy, pz + c * rz + r * cz, k);
      const v = t > 0 ? scale * t * (1 + noise * rng.normal()) : Math.max(0, 4 * rng.normal());
      out[r * g.size + c] = Math.max(0, v);
    }
  }
  return out;
}
