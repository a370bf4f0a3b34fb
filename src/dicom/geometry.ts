// Slice geometry from ImageOrientationPatient / ImagePositionPatient. Names and descriptions are never consulted.
import type { Orientation, Plane, Vec3 } from './types.js';

/**
 * Beyond this angle between the slice normal and the nearest patient axis a stack is 'oblique'. 30° keeps the usual
 * AC-PC-tilted axial (10–20°) axial, and calls double-oblique planning oblique.
 */
const OBLIQUE_COS = Math.cos((30 * Math.PI) / 180);

/** Unit normal row × column, or null when the orientation is missing or degenerate. */
export function normalOf(orientation: readonly number[] | null | undefined): Vec3 | null {
  if (!orientation || orientation.length < 6) return null;
  const [rx, ry, rz, cx, cy, cz] = orientation as Orientation;
  const rl = Math.hypot(rx, ry, rz);
  const cl = Math.hypot(cx, cy, cz);
  if (!(rl > 1e-6) || !(cl > 1e-6)) return null;
  const nx = ry * cz - rz * cy;
  const ny = rz * cx - rx * cz;
  const nz = rx * cy - ry * cx;
  const nl = Math.hypot(nx, ny, nz);
  // Parallel row and column vectors (or NaN) describe no plane.
  if (!(nl > 1e-6 * rl * cl)) return null;
  return [nx / nl, ny / nl, nz / nl];
}

/** Plane of a slice from its ImageOrientationPatient: the patient axis the normal is closest to. */
export function planeOf(orientation: readonly number[] | null | undefined): Plane {
  const n = normalOf(orientation);
  if (!n) return 'unknown';
  const ax = Math.abs(n[0]);
  const ay = Math.abs(n[1]);
  const az = Math.abs(n[2]);
  const m = Math.max(ax, ay, az);
  if (m < OBLIQUE_COS) return 'oblique';
  if (m === az) return 'axial';
  if (m === ax) return 'sagittal';
  return 'coronal';
}

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
