// gc's compaction of item packs. A pack is written whole by one run, and later runs can leave most of its records
// unused (their inputs changed): gc then copies the records still kept out of every pack they fill less than half of
// into one new pack per family, points the family's index at the copies, and the old packs go with the unreferenced
// ones. Records are read and checked on the way: an altered one is dropped (its item reruns), never copied.
// Crash safety: the new pack is written (and renamed) before the index names it, and the old packs are deleted
// after, so a kill at any point leaves every indexed record readable.
import { statSync } from 'node:fs';
import type { ItemLocation } from '../store/item-index.js';
import { buildPack, encodeItemRecord, PackReader, packPath } from '../store/item-packs.js';
import { writeFileAtomicSync } from '../atomic.js';
import type { CacheLayout } from '../store/cache-layout.js';

/** A pack is compacted when its kept records fill less than this share of it. */
const COMPACT_BELOW = 0.5;

export interface Compacted {
  /** the family's kept locations, those of copied records now in the new pack */
  keep: ItemLocation[];
  /** bytes of the new pack (0 when nothing was copied) */
  addedBytes: number;
  /** kept records found altered or gone while copying: dropped from the index */
  dropped: number;
}

export function compactFamily(layout: CacheLayout, keep: readonly ItemLocation[], dryRun: boolean): Compacted {
  const liveBytes = new Map<string, number>();
  for (const loc of keep) liveBytes.set(loc.pack, (liveBytes.get(loc.pack) ?? 0) + loc.length);
  const sparse = new Set([...liveBytes].filter(([pack, live]) => live < COMPACT_BELOW * (statSync(packPath(layout, pack), { throwIfNoEntry: false })?.size ?? 0)).map(([pack]) => pack));
  if (sparse.size === 0) return { keep: [...keep], addedBytes: 0, dropped: 0 };

  const reader = new PackReader(layout);
  const copies: { key: string; record: Buffer }[] = [];
  const stays: ItemLocation[] = [];
  let dropped = 0;
  try {
    for (const loc of keep) {
      if (!sparse.has(loc.pack)) stays.push(loc);
      else {
        const read = reader.read(loc);
        if (read.state === 'ok') copies.push({ key: loc.key, record: encodeItemRecord(loc.key, read.value) });
        else dropped++;
      }
    }
  } finally {
    reader.close();
  }
  if (copies.length === 0) return { keep: stays, addedBytes: 0, dropped };
  const pack = buildPack(copies);
  if (!dryRun) writeFileAtomicSync(packPath(layout, pack.name), pack.bytes);
  return { keep: [...stays, ...pack.locations], addedBytes: pack.bytes.length, dropped };
}
