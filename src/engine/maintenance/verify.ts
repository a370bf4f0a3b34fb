// `glioflow verify`: re-hashes every object that pipeline.lock and the manifests reference, and
// every item result they list, and names each missing or altered one with the stages and outputs
// (or items) it belongs to.
import { relative } from 'node:path';
import { readKeyRecord } from '../store/records.js';
import type { Project } from '../project.js';
import { readLock } from '../lockfile.js';
import { readAllIndexes } from '../store/item-index.js';
import { PackReader, packPath } from '../store/item-packs.js';
import { itemKeysOf } from '../store/item-key-list.js';
import { listManifests, objectsOf, unreadableKeyRecords } from './references.js';

export interface VerifyProblem {
  /** 'object': a content-addressed object (`hash` is its name); 'item': an item result (`hash` is its item key) */
  kind: 'object' | 'item';
  hash: string;
  problem: 'missing' | 'altered';
  usedBy: string[];
  /** where an altered item result's record is (pack file, byte range), and what is wrong with it */
  location?: { file: string; offset: number; length: number };
  why?: string;
}

export interface VerifyReport {
  /** objects re-hashed */
  checked: number;
  /** item results re-hashed */
  checkedItems: number;
  problems: VerifyProblem[];
  /** manifests, key records and item indexes (paths relative to the project) that cannot be read or parsed */
  unreadable: string[];
  /** item results a record lists that are gone (not a problem: the item would simply rerun) */
  missingItems: number;
}

export async function verifyCache(project: Project): Promise<VerifyReport> {
  // object hash → what uses it; item key → which stage's items it is
  const usedBy = new Map<string, Set<string>>();
  const itemUsers = new Map<string, Set<string>>();
  const add = (users: Map<string, Set<string>>, name: string, what: string): void => {
    let set = users.get(name);
    if (!set) users.set(name, (set = new Set()));
    set.add(what);
  };
  // Read the lock now: verify takes no run lock, and a run may have finished since the project opened.
  const lock = readLock(project.layout.pipelineLock);
  const manifests = listManifests(project.layout);
  const records = [
    // the lock's own entry (what is materialised) and the key record (with item keys) behind it
    ...Object.values(lock.stages).flatMap((entry) => [entry, readKeyRecord(project.layout, entry.key)].filter((r) => r !== undefined)),
    ...manifests.filter((m) => !m.unreadable).map((m) => m.record),
  ];
  for (const record of records) {
    for (const { hash, what } of objectsOf(record)) add(usedBy, hash, what);
    for (const [id, key] of itemKeysOf(record, project.store)) add(itemUsers, key, `${record.stage}: item ${id}`);
  }
  const problems: VerifyProblem[] = [];
  for (const [hash, users] of usedBy) {
    const state = await project.store.verify(hash);
    if (state !== 'ok') problems.push({ kind: 'object', hash, problem: state, usedBy: [...users].sort() });
  }
  let missingItems = 0;
  let checkedItems = 0;
  // every family's index, merged: an item key belongs to exactly one family (the key hashes the family's code and params)
  const { indexes, unreadable: badIndexes } = readAllIndexes(project.layout);
  const where = new Map([...indexes.values()].flatMap((index) => [...index]));
  const reader = new PackReader(project.layout);
  const badPacks = new Set<string>();
  try {
    for (const [key, users] of itemUsers) {
      const loc = where.get(key);
      if (!loc) {
        missingItems++;
        continue;
      }
      let item: ReturnType<PackReader['read']>;
      try {
        item = reader.read(loc);
      } catch {
        badPacks.add(packPath(project.layout, loc.pack)); // a pack it cannot open (a missing one reads as missing)
        continue;
      }
      if (item.state === 'missing') {
        missingItems++;
        continue;
      }
      checkedItems++;
      if (item.state === 'altered') {
        problems.push({ kind: 'item', hash: key, problem: 'altered', usedBy: [...users].sort(), location: { file: packPath(project.layout, loc.pack), offset: loc.offset, length: loc.length }, why: item.why });
      }
    }
  } finally {
    reader.close();
  }
  const unreadable = [...manifests.filter((m) => m.unreadable).map((m) => m.file), ...unreadableKeyRecords(project.layout), ...badIndexes.map((b) => b.file), ...badPacks].map((f) => relative(project.root, f).split('\\').join('/'));
  return { checked: usedBy.size, checkedItems, problems, unreadable, missingItems };
}
