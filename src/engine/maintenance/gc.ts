// `glioflow gc --keep N`: keeps the last N runs of each stage (by last use) and everything
// pipeline.lock references; deletes other key records, their manifests, item refs and objects.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../project.js';
import { listKeyRecords, listManifests, objectsOf } from './references.js';

export interface GcReport {
  keptRuns: number;
  removedRuns: number;
  removedObjects: number;
  removedItems: number;
  freedBytes: number;
  cacheBytes: number;
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

export function collectGarbage(project: Project, options: { keep: number; dryRun: boolean }): GcReport {
  const { layout } = project;
  const locked = new Set(Object.values(project.lock.stages).map((s) => s.key));
  const byStage = new Map<string, ReturnType<typeof listKeyRecords>>();
  for (const rec of listKeyRecords(layout)) {
    const list = byStage.get(rec.record.stage) ?? [];
    list.push(rec);
    byStage.set(rec.record.stage, list);
  }
  const kept = new Set<string>();
  const removed: ReturnType<typeof listKeyRecords> = [];
  for (const list of byStage.values()) {
    list.sort((a, b) => b.usedAt - a.usedAt);
    list.forEach((rec, i) => (i < options.keep || locked.has(rec.record.key) ? kept.add(rec.record.key) : removed.push(rec)));
  }
  const keepObjects = new Set<string>();
  const keepItems = new Set<string>();
  for (const list of byStage.values()) {
    for (const rec of list) {
      if (!kept.has(rec.record.key)) continue;
      for (const o of objectsOf(rec.record, layout)) keepObjects.add(o.hash);
      for (const k of Object.values(rec.record.itemKeys ?? {})) keepItems.add(k);
    }
  }
  let freedBytes = 0;
  let removedObjects = 0;
  let removedItems = 0;
  const remove = (file: string): void => {
    freedBytes += statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (!options.dryRun) rmSync(file, { force: true });
  };
  for (const file of walkFiles(layout.items)) {
    const key = file.slice(layout.items.length + 1).replace(/[\\/]/, '');
    if (!keepItems.has(key)) {
      remove(file);
      removedItems++;
    }
  }
  for (const file of walkFiles(layout.objects)) {
    const hash = file.slice(layout.objects.length + 1).replace(/[\\/]/, '');
    if (!keepObjects.has(hash) && !hash.includes('.tmp-')) {
      remove(file);
      removedObjects++;
    }
  }
  const removedKeys = new Set(removed.map((r) => r.record.key));
  for (const rec of removed) remove(rec.file);
  for (const m of listManifests(layout)) if (removedKeys.has(m.record.key)) remove(m.file);
  return { keptRuns: kept.size, removedRuns: removed.length, removedObjects, removedItems, freedBytes, cacheBytes: cacheSize(project) };
}
