// What pipeline.yaml means once parsed, expanded (foreach, vars, shared blocks) and validated.
import type { Location } from '../result.js';
import type { JsonValue, Params } from '../stage-api.js';

export interface StageSpec {
  /** instance name: `index`, or `train@ViT` for a foreach element */
  name: string;
  /** the name under `stages:` in the file */
  base: string;
  element?: JsonValue;
  uses: string;
  /** instance names of the upstream stages, in file order */
  needs: string[];
  /** paths relative to the project root */
  deps: string[];
  /** where each dep is written in pipeline.yaml (same order as `deps`) */
  depLocations?: Location[];
  /** defaults ← shared blocks ← the stage's own params, vars substituted */
  params: Params;
  location: Location;
}

export interface PipelineSpec {
  file: string;
  /** the profile in force (`default` when none) and why */
  profile: { name: string; why: string };
  /** every `when_empty` path looked at while choosing the profile, and whether it held files */
  profileEvidence: { path: string; hasFiles: boolean }[];
  vars: Record<string, JsonValue>;
  /** plugin modules (absolute file URLs) that register extra stage implementations */
  plugins: string[];
  stages: StageSpec[];
}
