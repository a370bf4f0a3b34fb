// `glioflow status`: for each stage, fresh or stale and why — computed from the lock and the
// current inputs, without running or loading any heavy code.
import type { StaleReason } from '../events.js';
import type { Project } from '../project.js';
import type { StageRecord } from '../lockfile.js';
import { readKeyRecord, recordIsComplete } from '../store/records.js';
import { computeInputs, explainDifference } from './stage-inputs.js';
import { selectStages } from './run-pipeline.js';
import { staleMaterialized } from './materialized.js';

export interface StageStatus {
  name: string;
  uses: string;
  state: 'fresh' | 'stale';
  reasons: StaleReason[];
  /** the key it would run under, when its upstream is fresh */
  key: string | null;
  /** a stale stage whose key is already cached (e.g. a param was changed back): running it only restores */
  cachedResult: boolean;
  /** materialized outputs that are missing or changed and would be restored from the cache */
  restores: string[];
}

export async function pipelineStatus(project: Project, requested?: readonly string[]): Promise<StageStatus[]> {
  const { selected } = selectStages(project, requested);
  const freshOutputs = new Map<string, Record<string, string>>();
  const out: StageStatus[] = [];
  for (const stage of selected) {
    const staleUp = stage.needs.find((n) => !freshOutputs.has(n));
    if (staleUp) {
      out.push({ name: stage.name, uses: stage.uses, state: 'stale', reasons: [{ reason: 'upstream-stale', stage: staleUp }], key: null, cachedResult: false, restores: [] });
      continue;
    }
    const upstream = Object.fromEntries(stage.needs.map((n) => [n, freshOutputs.get(n) as Record<string, string>]));
    const inputs = await computeInputs(project, stage, upstream);
    const locked = project.lock.stages[stage.name];
    const known = readKeyRecord(project.layout, inputs.key);
    const complete = known !== undefined && recordIsComplete(known, project.store);
    if (locked?.key === inputs.key && complete) {
      const restores = (await staleMaterialized(project, known.outputs)).map((ref) => ref.materialized as string);
      freshOutputs.set(stage.name, Object.fromEntries(Object.entries(known.outputs).map(([k, v]) => [k, v.hash])));
      out.push({ name: stage.name, uses: stage.uses, state: 'fresh', reasons: [], key: inputs.key, cachedResult: true, restores });
      continue;
    }
    const reasons = await explainDifference(project, inputs, locked);
    if (locked?.key === inputs.key && !complete) reasons.push({ reason: 'output-missing', output: Object.keys(locked.outputs).join(', ') });
    out.push({ name: stage.name, uses: stage.uses, state: 'stale', reasons, key: inputs.key, cachedResult: complete, restores: [] });
  }
  await project.stats.save();
  await project.outputStats.save();
  await project.depIndex.save();
  return out;
}

/** The cached record of a stage's current key, or undefined when the stage is stale. */
export async function currentRecord(project: Project, stage: string): Promise<StageRecord | undefined> {
  const status = (await pipelineStatus(project, [stage])).find((s) => s.name === stage);
  return status?.state === 'fresh' && status.key ? readKeyRecord(project.layout, status.key) : undefined;
}
