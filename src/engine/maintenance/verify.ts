// `glioflow verify`: re-hashes every object that pipeline.lock and the manifests reference and
// names each missing or altered one with the stages and outputs it belongs to.
import { readKeyRecord } from '../store/records.js';
import type { Project } from '../project.js';
import { itemObject, listManifests, objectsOf } from './references.js';

export interface VerifyProblem {
  hash: string;
  problem: 'missing' | 'altered';
  usedBy: string[];
}

export interface VerifyReport {
  checked: number;
  problems: VerifyProblem[];
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
  const records = [
    ...Object.values(project.lock.stages).map((entry) => readKeyRecord(project.layout, entry.key) ?? entry),
    ...listManifests(project.layout).map((m) => m.record),
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
  return { checked: usedBy.size, problems, missingItemRefs };
}
