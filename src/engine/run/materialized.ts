// Files people read (experiments/…) are copies of stored objects: restored when missing or edited.
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { tempPathFor } from '../atomic.js';
import type { Project } from '../project.js';
import type { OutputRef } from '../stage-api.js';

/** Copies a stored object to a path people read, atomically; used for outputs and restores. */
export async function materialize(project: Project, hash: string, relativePath: string): Promise<void> {
  const target = join(project.root, relativePath);
  await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  await copyFile(project.store.path(hash), temp);
  await rename(temp, target);
  project.outputStats.remember(target, hash);
}

/** Materialised outputs whose file is missing or differs from the cached object (to restore). */
export async function staleMaterialized(project: Project, outputs: Record<string, OutputRef>): Promise<OutputRef[]> {
  const stale: OutputRef[] = [];
  for (const ref of Object.values(outputs)) {
    if (!ref.materialized) continue;
    const current = await project.outputStats.hash(join(project.root, ref.materialized)).catch(() => undefined);
    if (current?.hash !== ref.hash) stale.push(ref);
  }
  return stale;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Files the stage's previous run materialised that this run does not (an output renamed, moved,
 * or no longer made): removed, so that experiments/ holds what pipeline.lock describes and no
 * stale copy is taken for a result. A file edited since it was written is left, and reported.
 */
export async function dropMaterialized(
  project: Project,
  before: Record<string, OutputRef> | undefined,
  after: Record<string, OutputRef>,
  /** paths other stages materialise: never removed */
  claimed: ReadonlySet<string>,
): Promise<{ removed: string[]; edited: string[]; failed: string[] }> {
  const still = new Set(Object.values(after).flatMap((ref) => (ref.materialized ? [ref.materialized] : [])));
  const removed: string[] = [];
  const edited: string[] = [];
  const failed: string[] = [];
  for (const ref of Object.values(before ?? {})) {
    if (!ref.materialized || still.has(ref.materialized) || claimed.has(ref.materialized)) continue;
    const file = resolve(project.root, ref.materialized);
    if (!file.startsWith(project.root + sep)) continue; // only ever inside the project
    const current = await project.outputStats.hash(file).catch(() => undefined);
    if (current === undefined) continue; // already gone
    if (current.hash !== ref.hash) {
      edited.push(ref.materialized);
      continue;
    }
    try {
      await rm(file, { force: true });
      removed.push(ref.materialized);
    } catch {
      failed.push(ref.materialized); // open elsewhere, no permission: the run goes on
    }
  }
  return { removed, edited, failed };
}
