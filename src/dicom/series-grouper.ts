// groupIntoSeries (series.ts) one header at a time, for cohorts whose headers do not fit in memory at once. The same
// buckets, ids and slice order (test/dicom/series-grouper.test.ts compares the two); a module of its own so that
// series.ts, which the item functions import, is unchanged and their cached results stay valid.
import { createHash } from 'node:crypto';
import { dot, normalOf, planeOf } from './geometry.js';
import { classifySequence } from './sequence.js';
import type { SeriesGroup, SliceHeader, Vec3 } from './types.js';

/** Orientations closer than this (max abs difference of direction cosines) are the same stack. */
const ORIENTATION_TOL = 1e-3;

/** One stack being collected: its first header (which names and classifies it) and its slices, column by column. */
interface Bucket {
  key: string;
  first: SliceHeader;
  normal: Vec3 | null;
  files: string[];
  frames: number[];
  along: number[];
  inst: number[];
  /** extra per-slice values the caller attached (e.g. the file's content hash), by file */
  extra: string[];
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

function addSlices(b: Bucket, h: SliceHeader, extra: string): void {
  const normal = b.normal;
  const base = normal && h.position ? dot(h.position, normal) : null;
  for (let f = 0; f < h.frames; f++) {
    const p = h.framePositions?.[f];
    let along: number;
    if (normal && p) along = dot(p, normal);
    else if (base !== null) along = base; // frames without their own position: order falls back to frame index
    else along = (h.instanceNumber ?? 0) + f; // no geometry at all: instance order is the best we have
    b.files.push(h.file);
    b.frames.push(f);
    b.along.push(along);
    b.inst.push(h.instanceNumber ?? 0);
    b.extra.push(extra);
  }
}

/** A stack's slices with what the caller attached to each file (`extra`, '' when nothing). */
export type GroupedSeries = SeriesGroup & { extras: string[] };

/**
 * groupIntoSeries one header at a time, keeping only what grouping needs (per slice: file, frame, position along
 * the normal, instance number): a million headers never need to be in memory at once. Give the headers in file
 * order (as groupIntoSeries sorts them), then take the series from `series()`.
 */
export class SeriesGrouper {
  private readonly buckets = new Map<string, Bucket[]>();
  private readonly all: Bucket[] = [];
  private last: string | undefined;

  add(h: SliceHeader, extra = ''): void {
    if (this.last !== undefined && h.file < this.last) throw new Error(`SeriesGrouper: ${h.file} given after ${this.last}; give headers in file order`);
    this.last = h.file;
    const base = JSON.stringify([h.patientId, h.studyUid, h.seriesUid, h.rows, h.columns]);
    let list = this.buckets.get(base);
    if (!list) this.buckets.set(base, (list = []));
    let bucket = list.find((b) => sameOrientation(b.first.orientation, h.orientation));
    if (!bucket) {
      const orient = h.orientation ? h.orientation.map((v) => v.toFixed(3)).join(',') : 'none';
      bucket = { key: `${base}|${orient}`, first: h, normal: normalOf(h.orientation), files: [], frames: [], along: [], inst: [], extra: [] };
      list.push(bucket);
      this.all.push(bucket);
    }
    addSlices(bucket, h, extra);
  }

  get count(): number {
    return this.all.length;
  }

  /** The series, in the order of their first file; each bucket is released once its series is taken. */
  *series(): Generator<GroupedSeries> {
    const used = new Set<string>();
    for (let i = 0; i < this.all.length; i++) {
      const b = this.all[i] as Bucket;
      const h = b.first;
      const order = Array.from(b.files.keys());
      const { files, frames, along, inst } = b;
      order.sort((x, y) => (along[x] as number) - (along[y] as number) || (inst[x] as number) - (inst[y] as number) || ((files[x] as string) < (files[y] as string) ? -1 : (files[x] as string) > (files[y] as string) ? 1 : 0) || (frames[x] as number) - (frames[y] as number));
      const plane = planeOf(h.orientation);
      const hash = createHash('sha1').update(b.key).digest('hex').slice(0, 12);
      let id = `${safeName(h.patientId)}-s${seriesTag(h.seriesNumber)}-${plane}-${hash}`;
      for (let n = 2; used.has(id); n++) id = `${safeName(h.patientId)}-s${seriesTag(h.seriesNumber)}-${plane}-${hash}-${n}`;
      used.add(id);
      const group: GroupedSeries = {
        id,
        patientId: h.patientId,
        studyUid: h.studyUid,
        seriesUid: h.seriesUid,
        description: h.seriesDescription,
        sequence: classifySequence(h),
        plane,
        rows: h.rows,
        columns: h.columns,
        slices: order.map((k) => ({ file: files[k] as string, frame: frames[k] as number, along: along[k] as number })),
        extras: order.map((k) => b.extra[k] as string),
      };
      this.all[i] = undefined as unknown as Bucket; // released: the caller holds one series at a time
      yield group;
    }
    this.buckets.clear();
  }
}
