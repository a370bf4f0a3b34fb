// A dep's file listing and its stat table, both Arrow tables sorted by path, written and read a record batch at a
// time (a million files never become one JSON string or an object per file):
//   listing      object in the store: (relative, hash, size); what `status` diffs and stages read (depFiles)
//   stat table   cache/dep-stats/<hash of the dep path>.arrow: (relative, size, mtime, ino, hash, hashed_at), the dep's
//                stat cache (file-tree.ts), replaced whole each time the dep is hashed
// Listings written by earlier versions are JSON arrays of (relative, hash, size) and are still read; their stat cache
// (cache/stat-cache.json) is read once, where a dep has no stat table yet.
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ArrowTableWriter, columns, f64, readTableRows, utf8 } from '../../tables/arrow.js';
import { tempPathFor } from '../atomic.js';
import type { FileRecord } from '../file-tree.js';
import { hashString } from '../hash.js';
import type { ObjectStore } from './object-store.js';

export const LISTING_COLUMNS = columns({ relative: utf8, hash: utf8, size: f64 });
export const STAT_COLUMNS = columns({ relative: utf8, size: f64, mtime: f64, ino: f64, hash: utf8, hashed_at: f64 });

export interface StatRow {
  relative: string;
  size: number;
  mtime: number;
  ino: number;
  hash: string;
  hashedAt: number;
}

function isArrowFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(6);
    return readSync(fd, head, 0, 6, 0) === 6 && head.toString('latin1') === 'ARROW1';
  } finally {
    closeSync(fd);
  }
}

/** The listing's files in path order. `dep` names it in errors. */
export async function* readListing(store: ObjectStore, hash: string, dep: string): AsyncGenerator<FileRecord> {
  const path = store.path(hash);
  if (isArrowFile(path)) {
    for await (const r of readTableRows(path, LISTING_COLUMNS, `the file listing of ${dep}`)) yield r;
    return;
  }
  let rows: FileRecord[];
  try {
    rows = JSON.parse(readFileSync(path, 'utf8')) as FileRecord[];
  } catch (error) {
    throw new Error(`the file listing of ${dep} (${path}) is neither an Arrow table nor a listing of an earlier version: ${(error as Error).message}`);
  }
  yield* rows;
}

/** Writes `count` files (given by index, in path order) as a listing object; returns its hash. */
export async function writeListing(store: ObjectStore, count: number, row: (i: number) => FileRecord): Promise<string> {
  mkdirSync(store.dir, { recursive: true });
  const temp = tempPathFor(join(store.dir, 'listing')); // gc's pattern for a temporary file of a live process
  const writer = new ArrowTableWriter(temp, LISTING_COLUMNS);
  try {
    for (let i = 0; i < count; i++) writer.append(row(i));
  } finally {
    writer.close();
  }
  return (await store.putFile(temp)).hash;
}

export const statTablePath = (dir: string, dep: string): string => join(dir, `${hashString(dep)}.arrow`);

/**
 * The dep's stat table in path order, or nothing when there is none. It is only an accelerator: one that cannot be
 * read counts as absent (`unreadable` says why), and the files are hashed again.
 */
export async function* readStatTable(path: string, unreadable: (why: string) => void): AsyncGenerator<StatRow> {
  let rows: AsyncGenerator<{ relative: string; size: number; mtime: number; ino: number; hash: string; hashed_at: number }>;
  try {
    if (!isArrowFile(path)) throw new Error('not an Arrow file');
    rows = readTableRows(path, STAT_COLUMNS, `the stat table ${path}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') unreadable((error as Error).message);
    return;
  }
  try {
    for await (const r of rows) yield { relative: r.relative, size: r.size, mtime: r.mtime, ino: r.ino, hash: r.hash, hashedAt: r.hashed_at };
  } catch (error) {
    unreadable((error as Error).message);
  }
}

/** Replaces the dep's stat table (written under a temporary name and renamed). */
export function writeStatTable(path: string, count: number, row: (i: number) => StatRow): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const temp = tempPathFor(path);
  const writer = new ArrowTableWriter(temp, STAT_COLUMNS);
  try {
    for (let i = 0; i < count; i++) {
      const r = row(i);
      writer.append({ relative: r.relative, size: r.size, mtime: r.mtime, ino: r.ino, hash: r.hash, hashed_at: r.hashedAt });
    }
    writer.close();
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
