// What the cache's records point at: shared by verify (what must be intact) and gc (what must stay).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StageRecord } from '../lockfile.js';
import type { CacheLayout } from '../store/cache-layout.js';

export interface KeyRecordFile {
  file: string;
  record: StageRecord;
  /** last time a run produced or reused it */
  usedAt: number;
}

export function listKeyRecords(layout: CacheLayout): KeyRecordFile[] {
  if (!existsSync(layout.keys)) return [];
  const out: KeyRecordFile[] = [];
  for (const shard of readdirSync(layout.keys)) {
    const dir = join(layout.keys, shard);
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.json')) continue;
      const file = join(dir, name);
      try {
        out.push({ file, record: JSON.parse(readFileSync(file, 'utf8')) as StageRecord, usedAt: statSync(file).mtimeMs });
      } catch {
        // a record that does not parse references nothing; verify reports it separately
      }
    }
  }
  return out;
}

export interface ManifestFile {
  file: string;
  record: StageRecord;
  /** true when the file does not parse: it references nothing readable, and verify names it */
  unreadable: boolean;
}

export function listManifests(layout: CacheLayout): ManifestFile[] {
  if (!existsSync(layout.manifests)) return [];
  const out: ManifestFile[] = [];
  for (const stageDir of readdirSync(layout.manifests)) {
    for (const name of readdirSync(join(layout.manifests, stageDir))) {
      if (!name.endsWith('.json')) continue;
      const file = join(layout.manifests, stageDir, name);
      try {
        out.push({ file, record: JSON.parse(readFileSync(file, 'utf8')) as StageRecord, unreadable: false });
      } catch {
        out.push({ file, record: { outputs: {}, deps: [], itemKeys: {} } as unknown as StageRecord, unreadable: true });
      }
    }
  }
  return out;
}

/** Key record files that do not parse (a run would simply recompute them; verify names them). */
export function unreadableKeyRecords(layout: CacheLayout): string[] {
  if (!existsSync(layout.keys)) return [];
  const out: string[] = [];
  for (const shard of readdirSync(layout.keys)) {
    for (const name of readdirSync(join(layout.keys, shard))) {
      if (!name.endsWith('.json')) continue;
      const file = join(layout.keys, shard, name);
      try {
        JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        out.push(file);
      }
    }
  }
  return out;
}

/** Every object a record references, with what it is for people (item results are files by key, not objects). */
export function objectsOf(record: StageRecord): { hash: string; what: string }[] {
  const out: { hash: string; what: string }[] = [];
  for (const [name, ref] of Object.entries(record.outputs ?? {})) out.push({ hash: ref.hash, what: `${record.stage}: output ${name}${ref.materialized ? ` (${ref.materialized})` : ''}` });
  for (const dep of record.deps ?? []) out.push({ hash: dep.listing, what: `${record.stage}: file listing of dep ${dep.path}` });
  return out;
}

/** Whether a record's outputs have these hashes (output name → hash, as a downstream stage read them). */
export function producedThese(record: StageRecord, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([name, hash]) => record.outputs?.[name]?.hash === hash);
}

/**
 * The run of `stage` that produced the outputs a downstream run read: the most recently used
 * key record with those output hashes (records sorted most recent first).
 */
export function findProducer(records: readonly KeyRecordFile[], stage: string, wanted: Record<string, string>): KeyRecordFile | undefined {
  return records.find((r) => r.record.stage === stage && producedThese(r.record, wanted));
}
