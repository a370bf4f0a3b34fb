// Per-key stage records (cache/keys) and per-run manifests (cache/manifests). A key record says
// "this key produced these outputs"; a manifest is the full account of one run, kept for audits.
import { existsSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic.js';
import type { StageRecord } from '../lockfile.js';
import type { ObjectStore } from './object-store.js';
import { safeName, shardedPath, type CacheLayout } from './cache-layout.js';

export function readKeyRecord(layout: CacheLayout, key: string): StageRecord | undefined {
  const file = shardedPath(layout.keys, key, '.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StageRecord;
  } catch {
    return undefined;
  }
}

/** A key record is usable only when every output object it names is still in the store. */
export function recordIsComplete(record: StageRecord, store: ObjectStore): boolean {
  return Object.values(record.outputs).every((o) => store.size(o.hash) === o.size);
}

export async function writeKeyRecord(layout: CacheLayout, record: StageRecord): Promise<void> {
  await writeFileAtomic(shardedPath(layout.keys, record.key, '.json'), JSON.stringify(record));
}

export function manifestPath(layout: CacheLayout, stage: string, finishedAt: string, key: string): string {
  return join(layout.manifests, safeName(stage), `${finishedAt.replace(/[:.]/g, '-')}-${key}.json`);
}

export async function writeManifest(path: string, manifest: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Marks a key record as used now: gc keeps the most recently used runs of each stage. */
export function touchKeyRecord(layout: CacheLayout, key: string): void {
  const now = new Date();
  try {
    utimesSync(shardedPath(layout.keys, key, '.json'), now, now);
  } catch {
    // gone meanwhile: the next run writes it again
  }
}
