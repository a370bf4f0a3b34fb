// `glioflow verify`: re-hashes every object that pipeline.lock and the manifests reference and
// names each missing or altered one with the stages and outputs it belongs to.
import { relative } from 'node:path';
import { readKeyRecord } from '../store/records.js';
import type { Project } from '../project.js';
import { readLock } from '../lockfile.js';
import { itemObject, listManifests, objectsOf, unreadableKeyRecords } from './references.js';

export interface VerifyProblem {
  hash: string;
  problem: 'missing' | 'altered';
  usedBy: string[];
}

export interface VerifyReport {
  checked: number;
  problems: VerifyProblem[];
  /** manifests and key records (paths relative to the project) that no longer parse */
  unreadable: string[];
  /** item results referenced by a manifest whose ref is gone (the item would simply rerun) */
  missingItemRefs: number;
}

export async function verifyCache(project: Project): Promise<VerifyReport> {
  const usedBy = new Map<string, Set<string>>();
  const add = (hash: string, what: string): void => {
    let set = usedBy.get(hash);
    if (!set) usedBy.set(hash, (set = new Set()));
    set.add(what);
  };
  let missingItemRefs = 0;
  // Read the lock now: verify takes no run lock, and a run may have finished since the project opened.
  const lock = readLock(project.layout.pipelineLock);
  const manifests = listManifests(project.layout);
  const records = [
    // the lock's own entry (what is materialised) and the key record (with item keys) behind it
    ...Object.values(lock.stages).flatMap((entry) => [entry, readKeyRecord(project.layout, entry.key)].filter((r) => r !== undefined)),
    ...manifests.filter((m) => !m.unreadable).map((m) => m.record),
  ];
  for (const record of records) {
    for (const { hash, what } of objectsOf(record, project.layout)) add(hash, what);
    for (const key of Object.values(record.itemKeys ?? {})) if (!itemObject(project.layout, key)) missingItemRefs++;
  }
  const problems: VerifyProblem[] = [];
  for (const [hash, users] of usedBy) {
    const state = await project.store.verify(hash);
    if (state !== 'ok') problems.push({ hash, problem: state, usedBy: [...users].sort() });
  }
  const unreadable = [...manifests.filter((m) => m.unreadable).map((m) => m.file), ...unreadableKeyRecords(project.layout)].map((f) => relative(project.root, f).split('\\').join('/'));
  return { checked: usedBy.size, problems, unreadable, missingItemRefs };
}
