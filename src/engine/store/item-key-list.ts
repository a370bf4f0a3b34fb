// Which item key each item of a stage run had (gc keeps those results; verify checks them). A run of a few thousand
// items keeps them inline in its key record and manifest (`itemKeys`, id → key); past INLINE_ITEM_KEYS they go to a
// file, one "<key> <id>" line per item, stored as an object (`itemKeyList`). Why: a million ids and keys as a JS
// object for the whole run, and then inside the key record's JSON, cost ~200 MB and a 60 MB record read by every
// gc and verify; the file is written a buffer at a time as the items are keyed.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { StageRecord } from '../lockfile.js';
import type { ObjectStore } from './object-store.js';

/** GLIOFLOW_INLINE_ITEM_KEYS lowers it (tests: the stored list without ten thousand items). */
export const INLINE_ITEM_KEYS = Number(process.env['GLIOFLOW_INLINE_ITEM_KEYS']) || 10_000;
const FLUSH_BYTES = 1 << 20;

export class ItemKeyLog {
  private inline: Record<string, string> | undefined = {};
  private fd: number | undefined;
  private buffer: string[] = [];
  private bufferBytes = 0;
  count = 0;

  /** `file`: where the list goes once it is too long to keep inline (a scratch path of the run). */
  constructor(private readonly file: string) {}

  set(id: string, key: string): void {
    this.count++;
    if (this.inline) {
      this.inline[id] = key;
      if (this.count <= INLINE_ITEM_KEYS) return;
      this.fd = openSync(this.file, 'w');
      for (const [i, k] of Object.entries(this.inline)) this.push(i, k);
      this.inline = undefined;
      return;
    }
    this.push(id, key);
  }

  private push(id: string, key: string): void {
    const line = `${key} ${id.replace(/[\n\r]/g, ' ')}\n`;
    this.buffer.push(line);
    this.bufferBytes += line.length;
    if (this.bufferBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.bufferBytes = 0;
  }

  /** The record's fields: the inline map, or the stored list (the file is moved into the store). */
  async finish(store: ObjectStore): Promise<Pick<StageRecord, 'itemKeys' | 'itemKeyList'>> {
    if (this.inline) return { itemKeys: this.inline };
    this.flush();
    closeSync(this.fd as number);
    this.fd = undefined;
    const { hash } = await store.putFile(this.file);
    return { itemKeys: {}, itemKeyList: { hash, count: this.count } };
  }

  /** Closes the file of a run that failed (its items' keys are not recorded). */
  abandon(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * A record's (id, key) pairs, inline or from its stored list; a list that is missing or unreadable gives nothing and
 * is reported through `missing` (verify names it; gc then keeps what the item indexes hold for other runs only).
 */
export function* itemKeysOf(record: Pick<StageRecord, 'itemKeys' | 'itemKeyList'>, store: ObjectStore, missing?: (hash: string, why: string) => void): Generator<[id: string, key: string]> {
  yield* Object.entries(record.itemKeys ?? {});
  const list = record.itemKeyList;
  if (!list) return;
  let text: string;
  try {
    text = readFileSync(store.path(list.hash), 'latin1');
  } catch (error) {
    missing?.(list.hash, (error as Error).message);
    return;
  }
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > 17) yield [Buffer.from(text.slice(start + 17, end), 'latin1').toString('utf8'), text.slice(start, start + 16)];
    start = end + 1;
  }
}
