// `glioflow gc`: frees cache space; takes the run lock so it never races a run.
import { collectGarbage } from '../engine/maintenance/gc.js';
import { acquireRunLock } from '../engine/run/run-lock.js';
import { open, printErrors, type GlobalOptions } from './common.js';

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

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
    const r = collectGarbage(project, { keep: flags.keep, dryRun: flags.dryRun === true });
    const verb = flags.dryRun ? 'would free' : 'freed';
    process.stdout.write(`gc --keep ${flags.keep}: kept ${r.keptRuns} runs, removed ${r.removedRuns} runs, ${r.removedObjects} objects and ${r.removedItems} item results; ${verb} ${mb(r.freedBytes)}; cache now ${mb(r.cacheBytes)}\n`);
    return 0;
  } finally {
    lock.value.release();
  }
}
