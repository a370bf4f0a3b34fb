// `glioflow explain PATH`: the provenance chain of a materialised file — the stage that wrote
// it, its key, params, code and inputs, then the same for every upstream stage, down to the
// raw files the first stages read.
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { StageRecord } from '../lockfile.js';
import type { Project } from '../project.js';
import { readKeyRecord } from '../store/records.js';
import { findProducer, listKeyRecords, producedThese, type KeyRecordFile } from './references.js';
import { err, ok, type GlioflowError, type Result } from '../result.js';

export interface ProvenanceStep {
  stage: string;
  uses: string;
  key: string;
  code: string;
  version: number;
  params: StageRecord['params'];
  env: Record<string, string>;
  record: StageRecord['record'];
  deps: { path: string; hash: string; files: number }[];
  /** upstream stage → output name → hash, as this stage read them */
  upstream: Record<string, Record<string, string>>;
  /** output name → hash */
  outputs: Record<string, string>;
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
  /** the file's stage first, then its upstream stages, depth first, down to those that read deps */
  chain: ProvenanceStep[];
  /** upstream runs that could not be found in the cache any more */
  unresolved: string[];
}

/** The file as a path relative to the project: as given from the current folder, else from the project root (`-C DIR`). */
function projectRelative(project: Project, path: string): string {
  const norm = (p: string): string => p.split('\\').join('/');
  const fromCwd = norm(relative(project.root, resolve(path)));
  if (isAbsolute(path) || existsSync(resolve(path)) || fromCwd.startsWith('experiments/')) return fromCwd;
  return norm(relative(project.root, resolve(project.root, path)));
}

export async function explainFile(project: Project, path: string): Promise<Result<Provenance, GlioflowError>> {
  const rel = projectRelative(project, path);
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
  const unresolved: string[] = [];
  const seen = new Set<string>();
  let allRecords: KeyRecordFile[] | undefined;
  // The upstream run that fed a step is the one whose outputs have the hashes the step read —
  // not necessarily the upstream's current lock entry (it may have rerun since, e.g. `run A`
  // after a param change leaves B's materialised file from the older A).
  const producerOf = (stage: string, wanted: Record<string, string>): StageRecord | undefined => {
    const locked = project.lock.stages[stage];
    if (locked && producedThese(locked, wanted)) return readKeyRecord(project.layout, locked.key) ?? locked;
    allRecords ??= listKeyRecords(project.layout).sort((a, b) => b.usedAt - a.usedAt);
    return findProducer(allRecords, stage, wanted)?.record;
  };
  const visit = (rec: StageRecord): void => {
    const id = `${rec.stage}\0${rec.key}`;
    if (seen.has(id)) return;
    seen.add(id);
    chain.push({
      stage: rec.stage,
      uses: rec.uses,
      key: rec.key,
      code: rec.code,
      version: rec.version,
      params: rec.params,
      env: rec.env,
      record: rec.record,
      deps: rec.deps.map((d) => ({ path: d.path, hash: d.hash, files: d.files })),
      upstream: rec.upstream,
      outputs: Object.fromEntries(Object.entries(rec.outputs).map(([name, o]) => [name, o.hash])),
      items: rec.items,
      manifest: rec.manifest,
      finishedAt: rec.finishedAt,
    });
    for (const [up, outputs] of Object.entries(rec.upstream)) {
      const producer = producerOf(up, outputs);
      if (producer) visit({ ...producer, stage: up });
      else unresolved.push(`${up} (outputs ${Object.entries(outputs).map(([n, h]) => `${n}=${h}`).join(', ')}): its run record is gone (gc?)`);
    }
  };
  visit({ ...(readKeyRecord(project.layout, owner.record.key) ?? owner.record), stage: owner.record.stage });
  return ok({ file: rel, output: owner.output, hash: ref?.hash ?? '', matches: current?.hash === ref?.hash, chain, unresolved });
}
