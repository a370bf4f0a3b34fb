// Cached item results, packed: many items' results in one file, found through an index per item family.
//
// An item result is found by its key (a hash of the item's code, params and input content), not by the hash of its
// bytes. Until this layout each result was a file of its own, and creating ~4,000 small files for one index stage
// cost 2–4 s of kernel time on our VMs, four times the parsing. Now the results of a stage's items go into pack files
// of up to a few hundred records, and each item family (one item code with one set of params: all the keys one
// mapItems call can produce) has an append-only index of where its keys are.
//
//   cache/items/packs/<xxh64 of the pack>.pack   records, one after another, each
//       "glioflow-item-v2 <key> <xxh64 of payload> <payload length>\n" + payload (v8-serialised: typed arrays survive)
//   cache/items/index/<family>.idx               lines "<key> <pack> <offset> <length> ."; the last line of a key wins
//
// Crash safety: a pack is written whole under a temporary name and renamed, and only then are its keys appended to
// the index; every append starts on a fresh line, and a torn line (a kill mid-append cuts the end off: the final "."
// is gone) is skipped when read. Only a missing file counts as absent: any other read error stops the caller. A key
// whose pack is gone counts as missing, one whose record no longer matches its checksum as altered: either way the
// item reruns, and `glioflow verify` names the altered ones. Results not yet in a pack when a run is killed are lost
// and recomputed: a result waits at most FLUSH_MS for its pack.
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomicSync } from '../atomic.js';
import { hashBytes } from '../hash.js';
import type { CacheLayout } from './cache-layout.js';

const MAGIC = 'glioflow-item-v2';
const HEADER = /^glioflow-item-v2 ([0-9a-f]{16}) ([0-9a-f]{16}) (\d+)\n/;
/** a record's header line is at most this long (magic, two hashes, a length, spaces, newline) */
const MAX_HEADER = MAGIC.length + 1 + 16 + 1 + 16 + 1 + 16 + 1;
const INDEX_LINE = /^([0-9a-f]{16}) ([0-9a-f]{16}\.pack) (\d{1,15}) (\d{1,15}) \.$/;
/** open pack descriptors a reader keeps (least recently opened closed first): packs can be many between gcs */
const MAX_OPEN_PACKS = 16;

/**
 * A family's pending results are written as a pack when there are PACK_MAX_RECORDS of them or PACK_MAX_BYTES, or
 * FLUSH_MS after the first of them (so a killed run loses at most that much finished work), and at close.
 */
const PACK_MAX_RECORDS = 512;
const PACK_MAX_BYTES = 16 * 1024 * 1024;
const FLUSH_MS = 500;

export type ItemFileState = { state: 'ok'; value: unknown } | { state: 'missing' } | { state: 'altered'; why: string };

export interface ItemLocation {
  key: string;
  /** file name under cache/items/packs */
  pack: string;
  offset: number;
  length: number;
}

export const packsDir = (layout: CacheLayout): string => join(layout.items, 'packs');
export const indexDir = (layout: CacheLayout): string => join(layout.items, 'index');
export const packPath = (layout: CacheLayout, pack: string): string => join(packsDir(layout), pack);
const indexPath = (layout: CacheLayout, family: string): string => join(indexDir(layout), `${family}.idx`);

export function encodeItemRecord(key: string, value: unknown): Buffer {
  const payload = serialize(value);
  return Buffer.concat([Buffer.from(`${MAGIC} ${key} ${hashBytes(payload)} ${payload.length}\n`, 'latin1'), payload]);
}

/** Checks the record's header (it must be `key`'s) and its payload's hash; deserialises only an intact record. */
export function decodeItemRecord(bytes: Uint8Array, key: string): ItemFileState {
  const head = HEADER.exec(Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_HEADER)).toString('latin1'));
  if (!head) return { state: 'altered', why: 'not a glioflow item record (bad header)' };
  if (head[1] !== key) return { state: 'altered', why: `the record there is item ${head[1]}'s` };
  const payload = bytes.subarray(head[0].length);
  if (payload.length !== Number(head[3])) return { state: 'altered', why: `payload is ${payload.length} bytes, its header says ${head[3]}` };
  if (hashBytes(payload) !== head[2]) return { state: 'altered', why: 'content does not match its recorded hash' };
  try {
    return { state: 'ok', value: deserialize(payload) };
  } catch (error) {
    return { state: 'altered', why: `cannot deserialise: ${(error as Error).message}` };
  }
}

/** One family's index: key → where its latest result is. Malformed (torn) lines are skipped. */
function parseIndex(text: string): Map<string, ItemLocation> {
  const out = new Map<string, ItemLocation>();
  for (const line of text.split('\n')) {
    const m = INDEX_LINE.exec(line);
    if (m) out.set(m[1] as string, { key: m[1] as string, pack: m[2] as string, offset: Number(m[3]), length: Number(m[4]) });
  }
  return out;
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

export function readFamilyIndex(layout: CacheLayout, family: string): Map<string, ItemLocation> {
  let text: string;
  try {
    text = readFileSync(indexPath(layout, family), 'utf8');
  } catch (error) {
    // no index yet: nothing cached for this family. Any other error must not read as "empty": gc would delete packs.
    if (isMissing(error)) return new Map();
    throw new Error(`cannot read the item index ${indexPath(layout, family)}: ${(error as Error).message}`);
  }
  return parseIndex(text);
}

/** Every family's index (for verify and gc): family → its key → location, and the index files that cannot be read. */
export function readAllIndexes(layout: CacheLayout): { indexes: Map<string, Map<string, ItemLocation>>; unreadable: { file: string; error: string }[] } {
  const indexes = new Map<string, Map<string, ItemLocation>>();
  const unreadable: { file: string; error: string }[] = [];
  if (!existsSync(indexDir(layout))) return { indexes, unreadable };
  for (const name of readdirSync(indexDir(layout))) {
    if (!name.endsWith('.idx')) continue;
    try {
      indexes.set(name.slice(0, -4), readFamilyIndex(layout, name.slice(0, -4)));
    } catch (error) {
      unreadable.push({ file: join(indexDir(layout), name), error: (error as Error).message });
    }
  }
  return { indexes, unreadable };
}

/**
 * Replaces a family's index by exactly these entries, one line each (gc: drops the keys no run uses, superseded and
 * torn lines), or removes it when there are none. Returns the bytes this frees; with `dryRun`, only counts them.
 */
export function writeFamilyIndex(layout: CacheLayout, family: string, entries: readonly ItemLocation[], dryRun = false): number {
  const file = indexPath(layout, family);
  const before = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  const text = entries.map(indexLine).join('');
  if (!dryRun && text.length !== before) {
    if (entries.length === 0) rmSync(file, { force: true });
    else writeFileAtomicSync(file, text);
  }
  return before - text.length;
}

const indexLine = (l: ItemLocation): string => `${l.key} ${l.pack} ${l.offset} ${l.length} .\n`;

/**
 * Reads records out of packs, keeping a few packs open (a lookup of many keys reads most records of each pack in
 * turn). close() when done.
 */
export class PackReader {
  private readonly open = new Map<string, { fd: number; size: number }>();

  constructor(private readonly layout: CacheLayout) {}

  read(loc: ItemLocation): ItemFileState {
    let pack = this.open.get(loc.pack);
    if (!pack) {
      let fd: number;
      try {
        fd = openSync(packPath(this.layout, loc.pack), 'r');
      } catch (error) {
        if (isMissing(error)) return { state: 'missing' }; // the pack is gone (deleted by hand, or by gc with the item)
        throw new Error(`cannot read the item pack ${packPath(this.layout, loc.pack)}: ${(error as Error).message}`);
      }
      pack = { fd, size: fstatSync(fd).size };
      this.open.set(loc.pack, pack);
      if (this.open.size > MAX_OPEN_PACKS) {
        const [oldest, first] = this.open.entries().next().value as [string, { fd: number }];
        closeSync(first.fd);
        this.open.delete(oldest);
      }
    }
    if (loc.offset + loc.length > pack.size) return { state: 'altered', why: `the index points past the end of its pack (${pack.size} bytes)` };
    const bytes = Buffer.allocUnsafe(loc.length);
    const n = readSync(pack.fd, bytes, 0, loc.length, loc.offset);
    return n < loc.length ? { state: 'altered', why: `the pack ends ${loc.length - n} bytes early` } : decodeItemRecord(bytes, loc.key);
  }

  close(): void {
    for (const { fd } of this.open.values()) closeSync(fd);
    this.open.clear();
  }
}

/** Reads one record (opens and closes its pack). */
export function readItemAt(layout: CacheLayout, loc: ItemLocation): ItemFileState {
  const reader = new PackReader(layout);
  try {
    return reader.read(loc);
  } finally {
    reader.close();
  }
}

/**
 * The cached results of one item family during one mapItems call: looks keys up, buffers new results and writes
 * them as packs. Call close() when done (also after a failure): it writes what is pending.
 */
export class ItemFamilyStore {
  private index: Map<string, ItemLocation> | undefined;
  private readonly reader: PackReader;
  private pending: { key: string; record: Buffer }[] = [];
  private pendingBytes = 0;
  private firstPendingAt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** a flush the timer ran that failed: thrown by the next put() or close(), in the stage that owns this store */
  private failure: unknown;
  private closed = false;

  constructor(
    private readonly layout: CacheLayout,
    readonly family: string,
  ) {
    this.reader = new PackReader(layout);
  }

  get(key: string): ItemFileState {
    this.index ??= readFamilyIndex(this.layout, this.family);
    const loc = this.index.get(key);
    return loc ? this.reader.read(loc) : { state: 'missing' };
  }

  put(key: string, value: unknown): void {
    if (this.closed) throw new Error(`item result ${key} stored after its store was closed`);
    this.rethrow();
    const record = encodeItemRecord(key, value);
    if (this.pending.length === 0) this.firstPendingAt = Date.now();
    this.pending.push({ key, record });
    this.pendingBytes += record.length;
    // the age check covers work on the main thread, which gives the timer no turn until it is done
    if (this.pending.length >= PACK_MAX_RECORDS || this.pendingBytes >= PACK_MAX_BYTES || Date.now() - this.firstPendingAt >= FLUSH_MS) this.flush();
    // unref: a pending flush never keeps the process alive (close() writes what is left)
    else
      this.timer ??= setTimeout(() => {
        try {
          this.flush();
        } catch (error) {
          this.failure ??= error; // a throw here would kill the process, and with it every stage running
        }
      }, FLUSH_MS).unref();
  }

  private rethrow(): void {
    if (this.failure === undefined) return;
    const failure = this.failure;
    this.failure = undefined;
    throw failure;
  }

  /** Writes the pending results as one pack, then appends their keys to the family's index. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const pack = Buffer.concat(this.pending.map((p) => p.record));
    const name = `${hashBytes(pack)}.pack`;
    writeFileAtomicSync(packPath(this.layout, name), pack);
    const entries: ItemLocation[] = [];
    let offset = 0;
    for (const p of this.pending) {
      entries.push({ key: p.key, pack: name, offset, length: p.record.length });
      offset += p.record.length;
    }
    mkdirSync(indexDir(this.layout), { recursive: true });
    // the leading newline ends a line a killed run may have torn, so that only that line is lost
    appendFileSync(indexPath(this.layout, this.family), `\n${entries.map(indexLine).join('')}`);
    for (const e of entries) this.index?.set(e.key, e);
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
      this.rethrow();
    } finally {
      this.reader.close();
    }
  }
}
