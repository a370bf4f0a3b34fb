// pipeline.lock: like dvc.lock, each stage's current key with everything that went into it and
// the hashes of what it produced. JSON (which is also YAML) because it is read on every run.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';
import type { JsonValue, OutputRef, Params } from './stage-api.js';

export interface LockedDep {
  path: string;
  kind: 'file' | 'dir' | 'missing';
  hash: string;
  files: number;
  /** object holding the (relative path, hash, size) list, so `status` can name changed files */
  listing: string;
}

/** Everything that decided a stage run, and what it produced. Stored per key and in the lock. */
export interface StageRecord {
  stage: string;
  uses: string;
  key: string;
  code: string;
  version: number;
  params: Params;
  env: Record<string, string>;
  deps: LockedDep[];
  /** upstream stage → output name → hash */
  upstream: Record<string, Record<string, string>>;
  outputs: Record<string, OutputRef>;
  items: { total: number; ran: number; cached: number; failed: number };
  /** item id → item key (lets gc keep item results and explain trace one series); empty when itemKeyList holds them */
  itemKeys: Record<string, string>;
  /** a run of many items: the object listing its "<key> <id>" lines (store/item-key-list.ts) */
  itemKeyList?: { hash: string; count: number };
  record: Record<string, JsonValue>;
  manifest: string;
  startedAt: string;
  finishedAt: string;
}

export interface PipelineLock {
  version: 1;
  stages: Record<string, StageRecord>;
}

export function readLock(file: string): PipelineLock {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as PipelineLock;
    if (parsed.version === 1 && parsed.stages && typeof parsed.stages === 'object') return parsed;
  } catch {
    // no lock yet (or an unreadable one): every stage is simply "never ran"
  }
  return { version: 1, stages: {} };
}

/** The lock holds only light fields: item keys stay in the per-key records and manifests. */
export function lockEntry(record: StageRecord): StageRecord {
  return { ...record, itemKeys: {} };
}

export async function writeLock(file: string, lock: PipelineLock): Promise<void> {
  const sorted: PipelineLock = { version: 1, stages: Object.fromEntries(Object.entries(lock.stages).sort(([a], [b]) => (a < b ? -1 : 1))) };
  await writeFileAtomic(file, `${JSON.stringify(sorted, null, 2)}\n`);
}
