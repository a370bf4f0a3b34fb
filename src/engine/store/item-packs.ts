// Item results on disk: records in pack files, cache/items/packs/<xxh64 of the pack>.pack, one after another, each
// "glioflow-item-v2 <key> <xxh64 of payload> <payload length>\n" + payload (v8-serialised: typed arrays survive).
// A record names its key and carries its length and checksum, so an index line pointing at the wrong place, a pack
// cut short or a byte changed on disk reads as "altered", never as another item's result or a damaged value.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomicSync } from '../atomic.js';
import { hashBytes } from '../hash.js';
import type { CacheLayout } from './cache-layout.js';
import { isMissingFile, type ItemLocation } from './item-index.js';

const MAGIC = 'glioflow-item-v2';
const HEADER = /^glioflow-item-v2 ([0-9a-f]{16}) ([0-9a-f]{16}) (\d+)\n/;
/** a record's header line is at most this long (magic, two hashes, a length, spaces, newline) */
const MAX_HEADER = MAGIC.length + 1 + 16 + 1 + 16 + 1 + 16 + 1;
/** open pack descriptors a reader keeps (least recently opened closed first): packs can be many between gcs */
const MAX_OPEN_PACKS = 16;
/** A pack holds at most this many records and (unless one record is larger) this many bytes. */
export const PACK_MAX_RECORDS = 512;
export const PACK_MAX_BYTES = 16 * 1024 * 1024;

export type ItemFileState = { state: 'ok'; value: unknown } | { state: 'missing' } | { state: 'altered'; why: string };

export const packsDir = (layout: CacheLayout): string => join(layout.items, 'packs');
export const packPath = (layout: CacheLayout, pack: string): string => join(packsDir(layout), pack);

export function encodeItemRecord(key: string, value: unknown): Buffer {
  const payload = serialize(value);
  return Buffer.concat([Buffer.from(`${MAGIC} ${key} ${hashBytes(payload)} ${payload.length}\n`, 'latin1'), payload]);
}

type Altered = { state: 'altered'; why: string };
/** A record whose header and checksum are checked: its bytes, header included, and its payload. */
type Checked = { state: 'ok'; bytes: Uint8Array; payload: Uint8Array } | Altered;

/** Checks the record's header (it must be `key`'s) and its payload's hash, without deserialising it. */
function checkItemRecord(bytes: Uint8Array, key: string): Checked {
  const head = HEADER.exec(Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_HEADER)).toString('latin1'));
  if (!head) return { state: 'altered', why: 'not a glioflow item record (bad header)' };
  if (head[1] !== key) return { state: 'altered', why: `the record there is item ${head[1]}'s` };
  const payload = bytes.subarray(head[0].length);
  if (payload.length !== Number(head[3])) return { state: 'altered', why: `payload is ${payload.length} bytes, its header says ${head[3]}` };
  if (hashBytes(payload) !== head[2]) return { state: 'altered', why: 'content does not match its recorded hash' };
  return { state: 'ok', bytes, payload };
}

function deserialised(checked: Checked | { state: 'missing' }): ItemFileState {
  if (checked.state !== 'ok') return checked;
  try {
    return { state: 'ok', value: deserialize(checked.payload) };
  } catch (error) {
    return { state: 'altered', why: `cannot deserialise: ${(error as Error).message}` };
  }
}

/** Checks the record's header (it must be `key`'s) and its payload's hash; deserialises only an intact record. */
export function decodeItemRecord(bytes: Uint8Array, key: string): ItemFileState {
  return deserialised(checkItemRecord(bytes, key));
}

/** Records as one pack: its bytes, its name (their hash) and where each record is in it. */
export function buildPack(records: readonly { key: string; record: Uint8Array }[]): { name: string; bytes: Buffer; locations: ItemLocation[] } {
  const bytes = Buffer.concat(records.map((r) => r.record));
  const name = `${hashBytes(bytes)}.pack`;
  const locations: ItemLocation[] = [];
  let offset = 0;
  for (const r of records) {
    locations.push({ key: r.key, pack: name, offset, length: r.record.length });
    offset += r.record.length;
  }
  return { name, bytes, locations };
}

/** Writes records as one pack (under a temporary name, then renamed) and says where each one is. */
export function writePack(layout: CacheLayout, records: readonly { key: string; record: Uint8Array }[]): ItemLocation[] {
  const pack = buildPack(records);
  writeFileAtomicSync(packPath(layout, pack.name), pack.bytes);
  return pack.locations;
}

/**
 * Reads records out of packs, keeping a few packs open (a lookup of many keys reads most records of each pack in
 * turn). close() when done.
 */
export class PackReader {
  private readonly open = new Map<string, { fd: number; size: number }>();

  constructor(private readonly layout: CacheLayout) {}

  read(loc: ItemLocation): ItemFileState {
    return deserialised(this.readRecord(loc));
  }

  /** A record's bytes, header included, once its header and checksum are checked (gc copies them as they are). */
  readRecord(loc: ItemLocation): Checked | { state: 'missing' } {
    let pack = this.open.get(loc.pack);
    if (!pack) {
      let fd: number;
      try {
        fd = openSync(packPath(this.layout, loc.pack), 'r');
      } catch (error) {
        if (isMissingFile(error)) return { state: 'missing' }; // the pack is gone (deleted by hand, or by gc with the item)
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
    if (n < loc.length) return { state: 'altered', why: `the pack ends ${loc.length - n} bytes early` };
    return checkItemRecord(bytes, loc.key);
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
