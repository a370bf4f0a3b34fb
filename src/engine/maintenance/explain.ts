// `glioflow explain PATH`: the provenance chain of a materialised file — the stage that wrote
// it, its key, params, code and inputs, then the same for every upstream stage, down to the
// raw files the first stages read.
import { relative, resolve } from 'node:path';
import type { StageRecord } from '../lockfile.js';
import type { Project } from '../project.js';
import { readKeyRecord } from '../store/records.js';
import { err, ok, type GlioflowError, type Result } from '../result.js';

export interface ProvenanceStep {
  stage: string;
  uses: string;
  key: string;
  code: string;
  params: StageRecord['params'];
  env: Record<string, string>;
  record: StageRecord['record'];
  deps: { path: string; hash: string; files: number }[];
  upstream: Record<string, Record<string, string>>;
  items: StageRecord['items'];
  manifest: string;
  finishedAt: string;
}

export interface Provenance {
  file: string;
  output: string;
  hash: string;
  /** false when the file on disk no longer matches what the stage wrote */
  matches: boolean;
  chain: ProvenanceStep[];
}

export async function explainFile(project: Project, path: string): Promise<Result<Provenance, GlioflowError>> {
  const rel = relative(project.root, resolve(path)).split('\\').join('/');
  let owner: { record: StageRecord; output: string } | undefined;
  for (const entry of Object.values(project.lock.stages)) {
    for (const [name, ref] of Object.entries(entry.outputs)) if (ref.materialized === rel) owner = { record: entry, output: name };
  }
  if (!owner) {
    return err({ kind: 'unknown-output', message: `${rel} is not an output recorded in pipeline.lock`, location: { file: rel }, hint: 'explain works on files stages wrote (experiments/…); run the pipeline first' });
  }
  const ref = owner.record.outputs[owner.output];
  const current = await project.outputStats.hash(resolve(project.root, rel)).catch(() => undefined);
  const chain: ProvenanceStep[] = [];
  const seen = new Set<string>();
  const visit = (stage: string, key: string): void => {
    if (seen.has(stage)) return;
    seen.add(stage);
    const rec = readKeyRecord(project.layout, key) ?? project.lock.stages[stage];
    if (!rec) return;
    chain.push({
      stage,
      uses: rec.uses,
      key: rec.key,
      code: rec.code,
      params: rec.params,
      env: rec.env,
      record: rec.record,
      deps: rec.deps.map((d) => ({ path: d.path, hash: d.hash, files: d.files })),
      upstream: rec.upstream,
      items: rec.items,
      manifest: rec.manifest,
      finishedAt: rec.finishedAt,
    });
    for (const up of Object.keys(rec.upstream)) {
      const upKey = project.lock.stages[up]?.key;
      // the upstream run that fed this one: find its record by the output hashes it recorded
      const match = upKey ? readKeyRecord(project.layout, upKey) : undefined;
      if (match) visit(up, match.key);
    }
  };
  visit(owner.record.stage, owner.record.key);
  return ok({ file: rel, output: owner.output, hash: ref?.hash ?? '', matches: current?.hash === ref?.hash, chain });
}
