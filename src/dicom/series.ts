// Groups slice headers into image stacks and orders each stack along its plane normal.
import { createHash } from 'node:crypto';
import { dot, normalOf, planeOf } from './geometry.js';
import { classifySequence } from './sequence.js';
import type { SeriesGroup, SeriesSlice, SliceHeader, Vec3 } from './types.js';

/** Orientations closer than this (max abs difference of direction cosines) are the same stack. */
const ORIENTATION_TOL = 1e-3;

interface Bucket {
  key: string;
  first: SliceHeader;
  members: SliceHeader[];
}

function sameOrientation(a: SliceHeader['orientation'], b: SliceHeader['orientation']): boolean {
  if (a === null || b === null) return a === b;
  for (let i = 0; i < 6; i++) if (Math.abs(a[i]! - b[i]!) > ORIENTATION_TOL) return false;
  return true;
}

/** Ids go into file names: keep [A-Za-z0-9._-], no leading dot, bounded length. */
function safeName(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 40);
  return cleaned === '' ? 'anon' : cleaned;
}

const seriesTag = (n: number | null): string => (n !== null && Number.isSafeInteger(n) ? String(n) : 'x');

function slicesOf(h: SliceHeader, normal: Vec3 | null): SeriesSlice[] {
  const out: SeriesSlice[] = [];
  const base = normal && h.position ? dot(h.position, normal) : null;
  for (let f = 0; f < h.frames; f++) {
    const p = h.framePositions?.[f];
    let along: number;
    if (normal && p) along = dot(p, normal);
    else if (base !== null) along = base; // frames without their own position: order falls back to frame index
    else along = (h.instanceNumber ?? 0) + f; // no geometry at all: instance order is the best we have
    out.push({ file: h.file, frame: f, along });
  }
  return out;
}

/**
 * Buckets by PatientID, StudyInstanceUID, SeriesInstanceUID and geometry (rows, columns, orientation): one
 * SeriesInstanceUID may hold several stacks (a 3-plane localiser, sagittal + axial reformats), and unrelated files
 * may share one. Each stack is ordered by dot(position, row × col), which is right for every plane (z is not).
 */
export function groupIntoSeries(headers: readonly SliceHeader[]): SeriesGroup[] {
  // Sort first so ids and member order don't depend on the order the caller walked the folders.
  const sorted = [...headers].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const buckets = new Map<string, Bucket[]>();
  const all: Bucket[] = [];
  for (const h of sorted) {
    const base = JSON.stringify([h.patientId, h.studyUid, h.seriesUid, h.rows, h.columns]);
    let list = buckets.get(base);
    if (!list) buckets.set(base, (list = []));
    let bucket = list.find((b) => sameOrientation(b.first.orientation, h.orientation));
    if (!bucket) {
      const orient = h.orientation ? h.orientation.map((v) => v.toFixed(3)).join(',') : 'none';
      bucket = { key: `${base}|${orient}`, first: h, members: [] };
      list.push(bucket);
      all.push(bucket);
    }
    bucket.members.push(h);
  }

  const used = new Set<string>();
  return all.map((b) => {
    const h = b.first;
    const normal = normalOf(h.orientation);
    const slices = b.members.flatMap((m) => slicesOf(m, normal).map((s) => ({ s, inst: m.instanceNumber ?? 0 })));
    slices.sort((x, y) => x.s.along - y.s.along || x.inst - y.inst || (x.s.file < y.s.file ? -1 : x.s.file > y.s.file ? 1 : 0) || x.s.frame - y.s.frame);
    const plane = planeOf(h.orientation);
    const hash = createHash('sha1').update(b.key).digest('hex').slice(0, 12);
    let id = `${safeName(h.patientId)}-s${seriesTag(h.seriesNumber)}-${plane}-${hash}`;
    for (let n = 2; used.has(id); n++) id = `${safeName(h.patientId)}-s${seriesTag(h.seriesNumber)}-${plane}-${hash}-${n}`;
    used.add(id);
    return {
      id,
      patientId: h.patientId,
      studyUid: h.studyUid,
      seriesUid: h.seriesUid,
      description: h.seriesDescription,
      sequence: classifySequence(h),
      plane,
      rows: h.rows,
      columns: h.columns,
      slices: slices.map((x) => x.s),
    };
  });
}
