// Files people read (experiments/…) are copies of stored objects: restored when missing or edited.
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
