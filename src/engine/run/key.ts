// A stage run's key: everything that decides its result, and nothing else (no mtimes, no paths
// outside the project). Same key ⇒ same result, so a key found in the cache is reused.
import type { DepSnapshot } from '../file-tree.js';
import { canonicalJson, hashParts } from '../hash.js';
import type { Params } from '../stage-api.js';

export interface KeyInputs {
  uses: string;
  code: string;
  version: number;
  params: Params;
  env: Record<string, string>;
  deps: readonly DepSnapshot[];
  /** upstream stage → output name → content hash */
  upstream: Record<string, Record<string, string>>;
}

export function stageKey(inputs: KeyInputs): string {
  const upstream = Object.keys(inputs.upstream)
    .sort()
    .flatMap((stage) => {
      const outputs = inputs.upstream[stage] ?? {};
      return Object.keys(outputs)
        .sort()
        .flatMap((name) => [stage, name, outputs[name] as string]);
    });
  return hashParts([
    'glioflow-stage-key-v1',
    inputs.uses,
    inputs.code,
    String(inputs.version),
    canonicalJson(inputs.params),
    canonicalJson(inputs.env),
    ...inputs.deps.flatMap((d) => [d.path, d.hash]),
    ...upstream,
  ]);
}

/** The item family: every item key one item code with one set of params can produce (they share a pack index). */
export function itemFamily(code: string, paramsJson: string): string {
  return hashParts(['glioflow-item-family-v1', code, paramsJson]);
}

/** An item's key: the code that computes it, the params it sees, and the content it reads. */
export function itemKey(code: string, paramsJson: string, itemHash: string): string {
  return hashParts(['glioflow-item-key-v1', code, paramsJson, itemHash]);
}
