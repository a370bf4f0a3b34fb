// gc's compaction of item packs. A pack is written whole by one run, and later runs can leave most of its records
// unused (their inputs changed): gc then copies the records still kept out of every pack they fill less than half of
// into new packs (of the usual size limits), points the family's index at the copies, and the old packs go with the
// unreferenced ones. Records are checked on the way and copied as they are: an altered one is dropped (its item
// reruns), never copied. Crash safety: a new pack is written (and renamed) before the index names it, and the old
// packs are deleted after, so a kill at any point leaves every indexed record readable.
import { statSync } from 'node:fs';
import { writeFileAtomicSync } from '../atomic.js';
import type { CacheLayout } from '../store/cache-layout.js';
import type { ItemLocation } from '../store/item-index.js';
import { buildPack, PACK_MAX_BYTES, PACK_MAX_RECORDS, PackReader, packPath } from '../store/item-packs.js';

/** A pack is compacted when its kept records fill less than this share of it. */
const COMPACT_BELOW = 0.5;

export interface Compacted {
  /** the family's kept locations, those of copied records now in the new packs */
  keep: ItemLocation[];
  /** bytes the new packs add to the cache (a pack of the same content may be there already) */
  addedBytes: number;
  /** kept records found altered or gone while copying: dropped from the index */
  dropped: number;
}

const sizeOf = (file: string): number => statSync(file, { throwIfNoEntry: false })?.size ?? 0;

export function compactFamily(layout: CacheLayout, keep: readonly ItemLocation[], dryRun: boolean): Compacted {
  const liveBytes = new Map<string, number>();
  for (const loc of keep) liveBytes.set(loc.pack, (liveBytes.get(loc.pack) ?? 0) + loc.length);
  const sparse = new Set([...liveBytes].filter(([pack, live]) => live < COMPACT_BELOW * sizeOf(packPath(layout, pack))).map(([pack]) => pack));
  if (sparse.size === 0) return { keep: [...keep], addedBytes: 0, dropped: 0 };

  const out: ItemLocation[] = keep.filter((loc) => !sparse.has(loc.pack));
  let addedBytes = 0;
  let dropped = 0;
  let batch: { key: string; record: Uint8Array }[] = [];
  let batchBytes = 0;
  const flush = (): void => {
    if (batch.length === 0) return;
    const pack = buildPack(batch);
    const file = packPath(layout, pack.name);
    addedBytes += pack.bytes.length - sizeOf(file); // an identical pack (same name) may be there already
    if (!dryRun) writeFileAtomicSync(file, pack.bytes);
    out.push(...pack.locations);
    batch = [];
    batchBytes = 0;
  };
  const reader = new PackReader(layout);
  try {
    for (const loc of keep) {
      if (!sparse.has(loc.pack)) continue;
      const record = reader.readRecord(loc);
      if (record.state !== 'ok') {
        dropped++;
        continue;
      }
      if (batch.length >= PACK_MAX_RECORDS || (batch.length > 0 && batchBytes + record.bytes.length > PACK_MAX_BYTES)) flush();
      batch.push({ key: loc.key, record: record.bytes });
      batchBytes += record.bytes.length;
    }
    flush();
  } finally {
    reader.close();
  }
  return { keep: out, addedBytes, dropped };
}
