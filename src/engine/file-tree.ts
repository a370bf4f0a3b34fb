// Snapshots of a stage's deps: every file under each dep path, with content hashes. Dot-files
// are skipped (editor swap files, .DS_Store), so they never make a stage stale.
//
// The no-op fast path: a dep's "stat signature" is the hash of every file's (path, size, mtime,
// inode). When it equals the signature recorded when the dep was last hashed (and that was not
// within the racy window of the newest mtime), the dep's content hash is reused without opening
// a single file or even loading the per-file stat cache.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';
import { hashBytes, hashParts } from './hash.js';
import type { StatCache } from './stat-cache.js';
import type { ObjectStore } from './store/object-store.js';

const RACY_MS = 2_000;

export interface FileRecord {
  /** path relative to the dep root, with forward slashes ('' for a dep that is a file) */
  relative: string;
  hash: string;
  size: number;
}

export interface DepSnapshot {
  /** the dep as written in pipeline.yaml (relative to the project root) */
  path: string;
  kind: 'file' | 'dir' | 'missing';
  /** hash of the file, or of the sorted (relative path, hash) list of a directory */
  hash: string;
  count: number;
  /** object holding the file listing (FileRecord[] as JSON) */
  listing: string;
  files(): Promise<FileRecord[]>;
}

interface StatRow {
  relative: string;
  absolute: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

// Names, then one stat per entry: stat says file or folder anyway, so dirent objects
// (readdir's withFileTypes) would be a second, wasted allocation per file on the no-op path.
function walk(dir: string, prefix: string, out: StatRow[]): void {
  for (const name of readdirSync(dir)) {
    if (name.charCodeAt(0) === 46 /* '.' */) continue;
    const absolute = `${dir}/${name}`;
    const st = statSync(absolute, { throwIfNoEntry: false });
    if (!st) continue; // removed while we walked
    const relative = prefix ? `${prefix}/${name}` : name;
    if (st.isFile()) out.push({ relative, absolute, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
    else if (st.isDirectory()) walk(absolute, relative, out);
  }
}

const byRelative = (a: StatRow, b: StatRow): number => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0);

/** Every regular file under `dir` (absolute), sorted by relative path. */
export function listFiles(dir: string): { absolute: string; relative: string; size: number }[] {
  const rows: StatRow[] = [];
  walk(dir, '', rows);
  return rows.sort(byRelative);
}

interface IndexEntry {
  signature: string;
  hash: string;
  count: number;
  listing: string;
  kind: 'file' | 'dir';
  trustedAt: number;
}

/** dep path → its last stat signature and content hash (cache/deps.json; small, read every run). */
export class DepIndex {
  private loaded: Record<string, IndexEntry> | undefined;
  private dirty = false;
  constructor(private readonly file: string) {}

  private get entries(): Record<string, IndexEntry> {
    if (!this.loaded) {
      try {
        this.loaded = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, IndexEntry>;
      } catch {
        this.loaded = {};
      }
    }
    return this.loaded;
  }

  get(dep: string): IndexEntry | undefined {
    return this.entries[dep];
  }

  set(dep: string, entry: IndexEntry): void {
    this.entries[dep] = entry;
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (this.dirty) await writeFileAtomic(this.file, JSON.stringify(this.entries));
    this.dirty = false;
  }
}

export interface SnapshotTools {
  stats: StatCache;
  index: DepIndex;
  store: ObjectStore;
}

export async function snapshotDep(root: string, dep: string, tools: SnapshotTools): Promise<DepSnapshot> {
  const absolute = `${root}/${dep}`;
  const st = statSync(absolute, { throwIfNoEntry: false });
  if (!st) return { path: dep, kind: 'missing', hash: 'missing', count: 0, listing: 'missing', files: async () => [] };
  const rows: StatRow[] = [];
  const kind = st.isFile() ? 'file' : 'dir';
  if (kind === 'file') rows.push({ relative: '', absolute, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
  else walk(absolute, '', rows);
  rows.sort(byRelative);

  // The signature hashes the paths and, as raw float64s, each file's (size, mtime, inode):
  // formatting 15,000 numbers as text cost more than the hashing.
  let newest = 0;
  const numbers = new Float64Array(rows.length * 3);
  const names: string[] = new Array<string>(rows.length);
  rows.forEach((r, i) => {
    names[i] = r.relative;
    numbers[3 * i] = r.size;
    numbers[3 * i + 1] = r.mtimeMs;
    numbers[3 * i + 2] = r.ino;
    if (r.mtimeMs > newest) newest = r.mtimeMs;
  });
  const signature = hashParts([names.join('\0'), hashBytes(new Uint8Array(numbers.buffer))]);
  const known = tools.index.get(dep);
  const loadListing = (hash: string) => async (): Promise<FileRecord[]> => JSON.parse((await tools.store.read(hash)).toString('utf8')) as FileRecord[];
  if (known && known.signature === signature && known.kind === kind && known.trustedAt - newest > RACY_MS && tools.store.has(known.listing)) {
    return { path: dep, kind, hash: known.hash, count: known.count, listing: known.listing, files: loadListing(known.listing) };
  }

  const files: FileRecord[] = [];
  for (const r of rows) {
    const { hash } = await tools.stats.hash(r.absolute, r);
    files.push({ relative: r.relative, hash, size: r.size });
  }
  const hash = kind === 'file' ? (files[0] as FileRecord).hash : hashParts(files.flatMap((f) => [f.relative, f.hash]));
  const listing = (await tools.store.put(JSON.stringify(files))).hash;
  tools.index.set(dep, { signature, hash, count: files.length, listing, kind, trustedAt: Date.now() });
  return { path: dep, kind, hash, count: files.length, listing, files: async () => files };
}

/** Which files differ between two listings of the same dep. */
export function diffSnapshots(
  before: readonly FileRecord[],
  after: readonly FileRecord[],
): { path: string; change: 'added' | 'removed' | 'modified' }[] {
  const old = new Map(before.map((f) => [f.relative, f.hash]));
  const changes: { path: string; change: 'added' | 'removed' | 'modified' }[] = [];
  const seen = new Set<string>();
  for (const f of after) {
    seen.add(f.relative);
    const was = old.get(f.relative);
    if (was === undefined) changes.push({ path: f.relative, change: 'added' });
    else if (was !== f.hash) changes.push({ path: f.relative, change: 'modified' });
  }
  for (const f of before) if (!seen.has(f.relative)) changes.push({ path: f.relative, change: 'removed' });
  return changes;
}
