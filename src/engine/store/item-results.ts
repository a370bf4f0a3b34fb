// Cached item results, packed: many items' results in one file, found through an index per item family.
//
// An item result is found by its key (a hash of the item's code, params and input content), not by the hash of its
// bytes. Until this layout each result was a file of its own, and creating ~4,000 small files for one index stage
// cost 2–4 s of kernel time on our VMs, four times the parsing. Now the results of a stage's items go into pack files
// of up to a few hundred records, and each item family (one item code with one set of params: all the keys one
// mapItems call can produce) has an append-only index of where its keys are.
//
//   cache/items/packs/<xxh64 of the pack>.pack   checksummed records, one after another (store/item-packs.ts)
//   cache/items/index/<family>.idx               where each key's latest record is (store/item-index.ts)
//
// Crash safety: a pack is written whole under a temporary name and renamed, and only then are its keys appended to
// the index; every append starts on a fresh line, and a torn line (a kill mid-append cuts the end off: the final "."
// is gone) is skipped when read. Only a missing file counts as absent: any other read error stops the caller. A key
// whose pack is gone counts as missing, one whose record no longer matches its checksum as altered: either way the
// item reruns, and `glioflow verify` names the altered ones. Results not yet in a pack when a run is killed are lost
// and recomputed: a result waits at most FLUSH_MS for its pack.
import type { CacheLayout } from './cache-layout.js';
import { appendToFamilyIndex, readCompactFamilyIndex } from './item-index.js';
import type { CompactItemIndex } from './compact-item-index.js';
import { encodeItemRecord, PACK_MAX_BYTES, PACK_MAX_RECORDS, PackReader, writePack, type ItemFileState } from './item-packs.js';

/**
 * A family's pending results are written as a pack when there are PACK_MAX_RECORDS of them or PACK_MAX_BYTES, or
 * FLUSH_MS after the first of them (so a killed run loses at most that much finished work), and at close.
 */
const FLUSH_MS = 500;

/**
 * The cached results of one item family during one mapItems call: looks keys up, buffers new results and writes
 * them as packs. Call close() when done (also after a failure): it writes what is pending.
 */
export class ItemFamilyStore {
  private index: CompactItemIndex | undefined;
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
    this.index ??= readCompactFamilyIndex(this.layout, this.family);
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
    const entries = writePack(this.layout, this.pending);
    appendToFamilyIndex(this.layout, this.family, entries);
    for (const e of entries) this.index?.set(e);
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
