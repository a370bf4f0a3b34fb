// Snapshots of a stage's deps: every file under each dep path, with content hashes. Dot-files
// are skipped (editor swap files, .DS_Store), so they never make a stage stale.
//
// The no-op fast path: a dep's "stat signature" is the hash of every file's (path, size, mtime,
// inode). When it equals the signature recorded when the dep was last hashed (and that was not
// within the racy window of the newest mtime), the dep's content hash is reused without opening
// a single file or even loading the previous listing.
//
// Scale (a million files): the walk keeps columns (a path string and three numbers a file), not an object per file,
// and gives the files in sorted order without sorting them (each folder's entries are sorted, a folder by its name
// and "/", which is the order of the full paths). The listing, an Arrow table of (relative, hash, size, mtime, ino,
// hashed_at) stored as an object, is also the stat cache of the dep: when the signature changed, the walk is
// merge-joined with the dep's stat table (store/listing.ts) and only files whose stat changed are read. A dep hashed
// by an earlier glioflow has no stat table: its files are looked up in the old per-file stat cache (stat-cache.json).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';
import { hashBytes, hashFile, initHashing } from './hash.js';
import type { StatCache } from './stat-cache.js';
import type { ObjectStore } from './store/object-store.js';
import { readListing, readStatTable, statTablePath, writeListing, writeStatTable, type StatRow } from './store/listing.js';

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
  /** object holding the file listing (store/listing.ts) */
  listing: string;
  /** every file, in memory (small deps; `each` for large ones) */
  files(): Promise<FileRecord[]>;
  /** every file, sorted, read from the listing a batch at a time */
  each(): AsyncIterable<FileRecord>;
}

/** A walk's files as columns, in sorted order of their relative paths. */
interface Walk {
  relative: string[];
  size: number[];
  mtimeMs: number[];
  ino: number[];
  newest: number;
}

// Names, then one stat per entry: stat says file or folder anyway, so dirent objects
// (readdir's withFileTypes) would be a second, wasted allocation per file on the no-op path.
function walkDir(dir: string, prefix: string, out: Walk): void {
  const entries: { key: string; name: string; dir: boolean; size: number; mtimeMs: number; ino: number }[] = [];
  for (const name of readdirSync(dir)) {
    if (name.charCodeAt(0) === 46 /* '.' */) continue;
    const st = statSync(`${dir}/${name}`, { throwIfNoEntry: false });
    if (!st) continue; // removed while we walked
    if (st.isFile()) entries.push({ key: name, name, dir: false, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
    else if (st.isDirectory()) entries.push({ key: `${name}/`, name, dir: true, size: 0, mtimeMs: 0, ino: 0 });
  }
  // a folder sorts as its name + "/": its files' paths all start so, and no other entry's path can
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const e of entries) {
    const relative = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.dir) walkDir(`${dir}/${e.name}`, relative, out);
    else {
      out.relative.push(relative);
      out.size.push(e.size);
      out.mtimeMs.push(e.mtimeMs);
      out.ino.push(e.ino);
      if (e.mtimeMs > out.newest) out.newest = e.mtimeMs;
    }
  }
}

function walk(absolute: string, file: { size: number; mtimeMs: number; ino: number } | null): Walk {
  const out: Walk = { relative: [], size: [], mtimeMs: [], ino: [], newest: 0 };
  if (file) {
    out.relative.push('');
    out.size.push(file.size);
    out.mtimeMs.push(file.mtimeMs);
    out.ino.push(file.ino);
    out.newest = file.mtimeMs;
  } else walkDir(absolute, '', out);
  return out;
}

/** Every regular file under `dir` (absolute), sorted by relative path. */
export function listFiles(dir: string): { absolute: string; relative: string; size: number }[] {
  const w = walk(dir, null);
  return w.relative.map((relative, i) => ({ absolute: `${dir}/${relative}`, relative, size: w.size[i] as number }));
}

/**
 * The stat signature: the same bytes as hashParts([paths joined by NUL, hash of the (size, mtime, inode) float64s]),
 * which signatures have always been, fed to the hasher a slice of paths at a time (no string of every path).
 */
async function signatureOf(w: Walk): Promise<string> {
  const api = await initHashing();
  const n = w.relative.length;
  const numbers = new Float64Array(n * 3);
  let chars = Math.max(0, n - 1);
  for (let i = 0; i < n; i++) {
    numbers[3 * i] = w.size[i] as number;
    numbers[3 * i + 1] = w.mtimeMs[i] as number;
    numbers[3 * i + 2] = w.ino[i] as number;
    chars += (w.relative[i] as string).length;
  }
  const hasher = api.create64();
  hasher.update(`${chars}:`);
  const SLICE = 8192;
  for (let i = 0; i < n; i += SLICE) hasher.update((i > 0 ? '\0' : '') + w.relative.slice(i, i + SLICE).join('\0'));
  const second = hashBytes(new Uint8Array(numbers.buffer));
  hasher.update(`${second.length}:`).update(second);
  return hasher.digest().toString(16).padStart(16, '0');
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
  /** the per-file stat cache of earlier versions: read only for a dep that has no stat table yet */
  stats: StatCache;
  /** where the deps' stat tables are (cache/dep-stats) */
  statDir: string;
  /** told when a stat table could not be read (its files are hashed again) */
  warn?(message: string): void;
  index: DepIndex;
  store: ObjectStore;
}

function snapshot(dep: string, kind: 'file' | 'dir', hash: string, count: number, listing: string, store: ObjectStore): DepSnapshot {
  const each = (): AsyncIterable<FileRecord> => readListing(store, listing, dep);
  return {
    path: dep,
    kind,
    hash,
    count,
    listing,
    each,
    files: async () => {
      const out: FileRecord[] = [];
      for await (const f of each()) out.push({ relative: f.relative, hash: f.hash, size: f.size });
      return out;
    },
  };
}

export async function snapshotDep(root: string, dep: string, tools: SnapshotTools): Promise<DepSnapshot> {
  const absolute = `${root}/${dep}`;
  const st = statSync(absolute, { throwIfNoEntry: false });
  if (!st) return { path: dep, kind: 'missing', hash: 'missing', count: 0, listing: 'missing', files: async () => [], each: async function* () {} };
  const kind = st.isFile() ? 'file' : 'dir';
  const w = walk(absolute, kind === 'file' ? st : null);
  const signature = await signatureOf(w);
  const known = tools.index.get(dep);
  if (known && known.signature === signature && known.kind === kind && known.trustedAt - w.newest > RACY_MS && tools.store.has(known.listing)) {
    return snapshot(dep, kind, known.hash, known.count, known.listing, tools.store);
  }

  // Something changed: merge-join the walk with the dep's stat table (both sorted by path), reusing the hash of
  // every file whose (size, mtime, inode) is as recorded and was not hashed within the racy window of its mtime.
  const statPath = statTablePath(tools.statDir, dep);
  let hadTable = false;
  const previous = readStatTable(statPath, (why) => tools.warn?.(`the stat table of ${dep} cannot be read (${why}): its files are hashed again`))[Symbol.asyncIterator]();
  const advance = async (): Promise<StatRow | undefined> => {
    const r = await previous.next();
    if (r.done) return undefined;
    hadTable = true;
    return r.value;
  };
  let prev = await advance();
  const n = w.relative.length;
  const hashes: string[] = new Array<string>(n);
  const hashedAt = new Float64Array(n);
  const contentHasher = (await initHashing()).create64();
  // the content hash is hashParts([relative, hash, relative, hash, …]), fed to the hasher ~64 kB at a time
  let pending = '';
  for (let i = 0; i < n; i++) {
    const relative = w.relative[i] as string;
    while (prev && prev.relative < relative) prev = await advance();
    const size = w.size[i] as number;
    const mtimeMs = w.mtimeMs[i] as number;
    const ino = w.ino[i] as number;
    let hash: string | undefined;
    let at = 0;
    if (prev && prev.relative === relative && prev.size === size && prev.mtime === mtimeMs && prev.ino === ino && prev.hashedAt - mtimeMs > RACY_MS) {
      hash = prev.hash;
      at = prev.hashedAt;
    }
    const path = relative ? `${absolute}/${relative}` : absolute;
    if (hash === undefined && !hadTable) {
      const old = tools.stats.lookup(path, { size, mtimeMs, ino }); // hashed by an earlier version
      if (old) ({ hash, hashedAt: at } = old);
    }
    if (hash === undefined) {
      hash = (await hashFile(path, size)).hash;
      at = Date.now();
    }
    hashes[i] = hash;
    hashedAt[i] = at;
    pending += `${relative.length}:${relative}${hash.length}:${hash}`;
    if (pending.length > 65_536) {
      contentHasher.update(pending);
      pending = '';
    }
  }
  if (pending) contentHasher.update(pending);
  await previous.return?.(undefined);
  const hash = kind === 'file' ? (hashes[0] as string) : contentHasher.digest().toString(16).padStart(16, '0');
  const listing = await writeListing(tools.store, n, (i) => ({ relative: w.relative[i] as string, hash: hashes[i] as string, size: w.size[i] as number }));
  writeStatTable(statPath, n, (i) => ({ relative: w.relative[i] as string, size: w.size[i] as number, mtime: w.mtimeMs[i] as number, ino: w.ino[i] as number, hash: hashes[i] as string, hashedAt: hashedAt[i] as number }));
  tools.index.set(dep, { signature, hash, count: n, listing, kind, trustedAt: Date.now() });
  return snapshot(dep, kind, hash, n, listing, tools.store);
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

/**
 * diffSnapshots over two sorted listings read as streams: the first `limit` changes and how many there are, in
 * memory that does not grow with the files. Changes come in path order (added, removed and modified mixed).
 */
export async function diffListings(
  before: AsyncIterable<FileRecord>,
  after: AsyncIterable<FileRecord>,
  limit: number,
): Promise<{ changes: { path: string; change: 'added' | 'removed' | 'modified' }[]; total: number }> {
  const a = before[Symbol.asyncIterator]();
  const b = after[Symbol.asyncIterator]();
  let x = (await a.next()).value as FileRecord | undefined;
  let y = (await b.next()).value as FileRecord | undefined;
  const changes: { path: string; change: 'added' | 'removed' | 'modified' }[] = [];
  let total = 0;
  const note = (path: string, change: 'added' | 'removed' | 'modified'): void => {
    if (changes.length < limit) changes.push({ path, change });
    total++;
  };
  while (x || y) {
    if (x && (!y || x.relative < y.relative)) {
      note(x.relative, 'removed');
      x = (await a.next()).value as FileRecord | undefined;
    } else if (y && (!x || y.relative < x.relative)) {
      note(y.relative, 'added');
      y = (await b.next()).value as FileRecord | undefined;
    } else if (x && y) {
      if (x.hash !== y.hash) note(y.relative, 'modified');
      x = (await a.next()).value as FileRecord | undefined;
      y = (await b.next()).value as FileRecord | undefined;
    }
  }
  return { changes, total };
}
