// Deps that do not exist, as positioned errors. Checked for the stages a command is about to run (and
// what they need), not for the whole file: `run cluster` must not fail on the labels file of a stage it
// does not run. `parsePipeline` uses the same check when asked to validate every stage.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GlioflowError } from '../result.js';
import type { StageSpec } from './pipeline-spec.js';

export function missingDeps(root: string, stages: readonly StageSpec[]): GlioflowError[] {
  const errors: GlioflowError[] = [];
  for (const stage of stages) {
    stage.deps.forEach((dep, i) => {
      if (existsSync(join(root, dep))) return;
      errors.push({
        kind: 'missing-dep',
        message: `dep "${dep}" of stage "${stage.name}" does not exist`,
        location: stage.depLocations?.[i] ?? stage.location,
        hint: 'create it (or put the data there), or remove it from `deps`',
      });
    });
  }
  return errors;
}
