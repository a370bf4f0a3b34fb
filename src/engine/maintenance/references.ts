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

/** Every `*.json` one folder below `root` (keys/<shard>/, manifests/<stage>/), parsed, or undefined where it does not parse. */
function recordFiles(root: string): { file: string; record: StageRecord | undefined }[] {
  if (!existsSync(root)) return [];
  const out: { file: string; record: StageRecord | undefined }[] = [];
  for (const sub of readdirSync(root)) {
    for (const name of readdirSync(join(root, sub))) {
      if (!name.endsWith('.json')) continue;
      const file = join(root, sub, name);
      let record: StageRecord | undefined;
      try {
        record = JSON.parse(readFileSync(file, 'utf8')) as StageRecord;
      } catch {
        record = undefined;
      }
      out.push({ file, record });
    }
  }
  return out;
}

/** Key records that parse (one that does not references nothing; verify reports it separately). */
export function listKeyRecords(layout: CacheLayout): KeyRecordFile[] {
  return recordFiles(layout.keys).flatMap(({ file, record }) => {
    const st = record ? statSync(file, { throwIfNoEntry: false }) : undefined; // gone since it was read: skip it
    return record && st ? [{ file, record, usedAt: st.mtimeMs }] : [];
  });
}

export interface ManifestFile {
  file: string;
  record: StageRecord;
  /** true when the file does not parse: it references nothing readable, and verify names it */
  unreadable: boolean;
}

export function listManifests(layout: CacheLayout): ManifestFile[] {
  return recordFiles(layout.manifests).map(({ file, record }) =>
    record ? { file, record, unreadable: false } : { file, record: { outputs: {}, deps: [], itemKeys: {} } as unknown as StageRecord, unreadable: true },
  );
}

/** Key record files that do not parse (a run would simply recompute them; verify names them). */
export function unreadableKeyRecords(layout: CacheLayout): string[] {
  return recordFiles(layout.keys).flatMap(({ file, record }) => (record ? [] : [file]));
}

/** Every object a record references, with what it is for people (item results are files by key, not objects). */
export function objectsOf(record: StageRecord): { hash: string; what: string }[] {
  const out: { hash: string; what: string }[] = [];
  for (const [name, ref] of Object.entries(record.outputs ?? {})) out.push({ hash: ref.hash, what: `${record.stage}: output ${name}${ref.materialized ? ` (${ref.materialized})` : ''}` });
  for (const dep of record.deps ?? []) out.push({ hash: dep.listing, what: `${record.stage}: file listing of dep ${dep.path}` });
  if (record.itemKeyList) out.push({ hash: record.itemKeyList.hash, what: `${record.stage}: list of its ${record.itemKeyList.count} item keys` });
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
