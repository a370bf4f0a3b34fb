// `glioflow gc`: frees cache space; takes the run lock so it never races a run.
import { collectGarbage, formatBytes } from '../engine/maintenance/gc.js';
import { resumableStateDirs } from '../engine/maintenance/state-dirs.js';
import { readLock } from '../engine/lockfile.js';
import { acquireRunLock } from '../engine/run/run-lock.js';
import { open, printErrors, type GlobalOptions } from './common.js';

export async function gcCommand(globals: GlobalOptions, flags: { keep: number; dryRun?: boolean }): Promise<number> {
  const project = await open(globals);
  if (!project) return 2;
  if (!Number.isInteger(flags.keep) || flags.keep < 0) {
    printErrors([{ kind: 'usage', message: `--keep must be a whole number ≥ 0, not ${flags.keep}` }]);
    return 2;
  }
  const lock = await acquireRunLock(project.layout.runLock, { wait: false, onWait: () => undefined });
  if (!lock.ok) {
    printErrors([lock.error]);
    return 75;
  }
  try {
    let r: ReturnType<typeof collectGarbage>;
    try {
      const resumable = await resumableStateDirs(project, readLock(project.layout.pipelineLock));
      r = collectGarbage(project, { keep: flags.keep, dryRun: flags.dryRun === true, resumable });
    } catch (error) {
      // e.g. an item index it cannot read: gc stops before deleting what that index would have kept
      printErrors([{ kind: 'gc-failed', message: error instanceof Error ? error.message : String(error), hint: 'fix the file named (permissions, a folder in its place), then run gc again' }]);
      return 1;
    }
    const verb = flags.dryRun ? 'would free' : 'freed';
    const removedVerb = flags.dryRun ? 'would remove' : 'removed';
    for (const run of r.removed) process.stdout.write(`${removedVerb} run of ${run.stage}: key ${run.key} (finished ${run.finishedAt})\n`);
    for (const s of r.removedStates) {
      const what = s.key ? `checkpoints of ${s.stage} under key ${s.key}` : `cache/state/${s.stage}`;
      process.stdout.write(`${removedVerb} ${what} (${formatBytes(s.bytes)}): no run can resume from it\n`);
    }
    const states = r.removedStates.length;
    process.stdout.write(
      `gc --keep ${flags.keep}: kept ${r.keptRuns} runs, ${removedVerb} ${r.removedRuns} runs, ${r.removedObjects} objects, ${r.removedItems} item results and ${states} checkpoint folder${states === 1 ? '' : 's'}; ` +
        `${verb} ${formatBytes(r.freedBytes)} (${r.freedBytes} bytes); cache now ${formatBytes(r.cacheBytes)}\n`,
    );
    return 0;
  } finally {
    lock.value.release();
  }
}
