// `glioflow gc --keep N`: keeps the last N runs of each stage (by last use), everything
// pipeline.lock references, and the upstream runs whose outputs those runs read; deletes other
// key records, their manifests, item results and objects, and what killed runs left behind
// (temporary files, scratch folders, and checkpoints no run can resume: state-dirs.ts).
// The caller holds the run lock, so no run writes meanwhile.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readLock } from '../lockfile.js';
import type { Project } from '../project.js';
import { findProducer, listKeyRecords, listManifests, objectsOf } from './references.js';
import { processAlive } from '../process-alive.js';
import { readAllIndexes, writeFamilyIndex } from '../store/item-index.js';
import { compactFamily } from './compact-packs.js';
import { itemKeysOf } from '../store/item-key-list.js';

export interface RemovedRun {
  stage: string;
  key: string;
  finishedAt: string;
}

export interface GcReport {
  keptRuns: number;
  /** checkpoint folders of interrupted runs (cache/state/<stage>/<key>) removed, or that would be */
  removedStates: { stage: string; key: string; bytes: number }[];
  removedRuns: number;
  removedObjects: number;
  removedItems: number;
  freedBytes: number;
  cacheBytes: number;
  /** the runs deleted (or that would be, with dryRun), oldest use first per stage */
  removed: RemovedRun[];
}

function* walkFiles(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkFiles(full);
    else yield full;
  }
}

export function cacheSize(project: Project): number {
  let total = 0;
  for (const file of walkFiles(project.layout.root)) total += statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  return total;
}

/**
 * A temporary file (`NAME.tmp-PID-RAND`, see atomic.ts) left by a killed process. Those of live
 * processes stay: `status` may be storing a dep listing while gc runs (it takes no lock).
 */
function abandonedTemp(file: string): boolean | 'not-temp' {
  const m = /\.tmp-(\d+)-[0-9a-f]+$/.exec(file);
  if (!m) return 'not-temp';
  return !processAlive(Number(m[1]));
}

export interface GcOptions {
  keep: number;
  dryRun: boolean;
  /** `<safe stage name>/<key>` of the state folders to keep (state-dirs.ts: those a run could resume from now) */
  resumable: ReadonlySet<string>;
}

export function collectGarbage(project: Project, options: GcOptions): GcReport {
  const { layout } = project;
  // Read the lock now, not when the project was opened: a run may have finished in between.
  const lock = readLock(layout.pipelineLock);
  const locked = new Set(Object.values(lock.stages).map((s) => s.key));
  const byStage = new Map<string, ReturnType<typeof listKeyRecords>>();
  for (const rec of listKeyRecords(layout)) {
    const list = byStage.get(rec.record.stage) ?? [];
    list.push(rec);
    byStage.set(rec.record.stage, list);
  }
  const kept = new Set<string>(locked);
  for (const list of byStage.values()) {
    list.sort((a, b) => b.usedAt - a.usedAt);
    list.forEach((rec, i) => (i < options.keep ? kept.add(rec.record.key) : undefined));
  }
  // A kept run keeps the upstream runs whose outputs it read: otherwise a locked stage whose
  // upstream has rerun since (`run A` after a param change) would lose its provenance, and going
  // back to the locked inputs would recompute.
  const all = [...byStage.values()].flat().sort((a, b) => b.usedAt - a.usedAt);
  const byKey = new Map(all.map((r) => [r.record.key, r]));
  const queue = [...kept].map((k) => byKey.get(k)?.record ?? Object.values(lock.stages).find((s) => s.key === k)).filter((r) => r !== undefined);
  for (let r = queue.shift(); r; r = queue.shift()) {
    for (const [up, outputs] of Object.entries(r.upstream ?? {})) {
      const producer = findProducer(all, up, outputs);
      if (producer && !kept.has(producer.record.key)) {
        kept.add(producer.record.key);
        queue.push(producer.record);
      }
    }
  }
  const removed = all.filter((r) => !kept.has(r.record.key));

  // What stays: the objects and item results of kept key records, of every manifest of a kept
  // key (a --force rerun of a key may have produced other bytes), and of the lock's own entries
  // (even where their key record is gone).
  const keepObjects = new Set<string>();
  const keepItems = new Set<string>();
  const keepRecord = (record: Parameters<typeof objectsOf>[0]): void => {
    for (const o of objectsOf(record)) keepObjects.add(o.hash);
    for (const [, k] of itemKeysOf(record, project.store)) keepItems.add(k);
  };
  for (const list of byStage.values()) for (const rec of list) if (kept.has(rec.record.key)) keepRecord(rec.record);
  for (const entry of Object.values(lock.stages)) keepRecord(entry);
  const manifests = listManifests(layout);
  for (const m of manifests) if (!m.unreadable && kept.has(m.record.key)) keepRecord(m.record);

  // read before anything is deleted: an index that cannot be read stops gc here, with nothing removed
  const { indexes, unreadable: badIndexes } = readAllIndexes(layout);
  if (badIndexes[0]) throw new Error(badIndexes[0].error);
  let freedBytes = 0;
  let removedObjects = 0;
  let removedItems = 0;
  const remove = (file: string): void => {
    freedBytes += statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (!options.dryRun) rmSync(file, { force: true });
  };
  // Item results first, as compaction may fail (it reads every kept record of a sparse pack) and nothing is deleted
  // yet: each family's index keeps only the kept keys, the kept records of mostly-dead packs are copied into new
  // packs (compact-packs.ts), and a pack goes (in the walk below) when no kept key is in it.
  const livePacks = new Set<string>();
  for (const [family, index] of indexes) {
    const keptHere = [...index.values()].filter((loc) => keepItems.has(loc.key));
    const compacted = compactFamily(layout, keptHere, options.dryRun);
    removedItems += index.size - keptHere.length + compacted.dropped;
    freedBytes -= compacted.addedBytes;
    for (const loc of compacted.keep) livePacks.add(loc.pack);
    freedBytes += writeFamilyIndex(layout, family, compacted.keep, options.dryRun);
  }
  // Records first, objects last: a gc killed half-way then leaves only unreferenced objects,
  // never a manifest or key record whose objects are gone (which `verify` would report).
  // A manifest is a run's account: it goes with its run. Manifests whose key has no record at all
  // (a run killed between writing the two) go too, since nothing keeps their objects. Unreadable
  // ones stay for `verify` to name.
  for (const m of manifests) if (!m.unreadable && !kept.has(m.record.key)) remove(m.file);
  for (const rec of removed) remove(rec.file);
  for (const file of walkFiles(layout.items)) {
    const temp = abandonedTemp(file);
    if (temp !== 'not-temp') {
      if (temp) remove(file);
      continue;
    }
    const name = file.slice(layout.items.length + 1).split('\\').join('/');
    if (name.startsWith('index/')) continue;
    if (name.startsWith('packs/') && livePacks.has(name.slice('packs/'.length))) continue;
    // an unreferenced pack, or a result file of the layout before packs (one file per item key, never read now)
    if (!name.startsWith('packs/')) removedItems++;
    remove(file);
  }
  for (const file of walkFiles(layout.objects)) {
    const temp = abandonedTemp(file);
    if (temp !== 'not-temp') {
      if (temp) remove(file);
      continue;
    }
    const hash = file.slice(layout.objects.length + 1).replace(/[\\/]/, '');
    if (!keepObjects.has(hash)) {
      remove(file);
      removedObjects++;
    }
  }
  // Checkpoints of interrupted runs that no run can resume (state-dirs.ts), and anything else under state/.
  const removedStates: GcReport['removedStates'] = [];
  if (existsSync(layout.state)) {
    for (const stage of readdirSync(layout.state, { withFileTypes: true })) {
      const stageDir = join(layout.state, stage.name);
      const entries = stage.isDirectory() ? readdirSync(stageDir, { withFileTypes: true }) : [];
      for (const entry of entries) {
        if (entry.isDirectory() && options.resumable.has(`${stage.name}/${entry.name}`)) continue;
        const dir = join(stageDir, entry.name);
        let bytes = 0;
        for (const file of entry.isDirectory() ? walkFiles(dir) : [dir]) bytes += statSync(file, { throwIfNoEntry: false })?.size ?? 0;
        freedBytes += bytes;
        removedStates.push({ stage: stage.name, key: entry.name, bytes });
        if (!options.dryRun) rmSync(dir, { recursive: true, force: true });
      }
      if (!stage.isDirectory()) {
        const bytes = statSync(stageDir, { throwIfNoEntry: false })?.size ?? 0;
        freedBytes += bytes;
        removedStates.push({ stage: stage.name, key: '', bytes });
      }
      if (!options.dryRun && (!stage.isDirectory() || readdirSync(stageDir).length === 0)) rmSync(stageDir, { recursive: true, force: true });
    }
  }
  // Scratch folders of runs that were killed: with the run lock held, no run is using any.
  for (const file of walkFiles(layout.tmp)) remove(file);
  if (!options.dryRun && existsSync(layout.tmp)) for (const entry of readdirSync(layout.tmp)) rmSync(join(layout.tmp, entry), { recursive: true, force: true });
  return {
    keptRuns: kept.size,
    removedStates,
    removedRuns: removed.length,
    removedObjects,
    removedItems,
    freedBytes,
    cacheBytes: cacheSize(project),
    removed: removed.map((r) => ({ stage: r.record.stage, key: r.record.key, finishedAt: r.record.finishedAt })).sort((a, b) => (a.stage === b.stage ? (a.finishedAt < b.finishedAt ? -1 : 1) : a.stage < b.stage ? -1 : 1)),
  };
}

/** 1234567 → "1.2 MB": for people (status, gc). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
