// Which checkpoint folders (`cache/state/<stage>/<key>/`, the `ctx.stateDir` of a stage run, removed when the run
// finishes) gc keeps. The rule: a run can resume only under the key it had, so a state folder stays when its key is
// the key its stage would run under now — its params, code, environment and deps as they are, and its upstream
// outputs as pipeline.lock records them (what a rerun of an unchanged upstream reproduces). Everything else goes: keys
// of other params or code, stages no longer in pipeline.yaml, stray files. A stage with a need the lock has never
// recorded cannot have started (needs finish first), so it has nothing to keep. gc holds the run lock, so no stage is
// running meanwhile.
import type { PipelineLock } from '../lockfile.js';
import type { Project } from '../project.js';
import { computeInputs } from '../run/stage-inputs.js';
import { safeName } from '../store/cache-layout.js';

/** `<safe stage name>/<key>` of every state folder a run could resume from now. */
export async function resumableStateDirs(project: Project, lock: PipelineLock): Promise<Set<string>> {
  const keep = new Set<string>();
  for (const stage of project.spec.stages) {
    const upstream: Record<string, Record<string, string>> = {};
    let known = true;
    for (const need of stage.needs) {
      const entry = lock.stages[need];
      if (!entry) known = false;
      else upstream[need] = Object.fromEntries(Object.entries(entry.outputs).map(([name, ref]) => [name, ref.hash]));
    }
    if (!known) continue;
    const { key } = await computeInputs(project, stage, upstream);
    keep.add(`${safeName(stage.name)}/${key}`);
  }
  await project.stats.save();
  await project.depIndex.save();
  return keep;
}
