// What a stage's key is made of right now, and why it differs from the last recorded run.
import type { StageSpec } from '../config/pipeline-spec.js';
import type { StaleReason } from '../events.js';
import { diffListings, snapshotDep, type DepSnapshot } from '../file-tree.js';
import { readListing } from '../store/listing.js';
import { canonicalJson } from '../hash.js';
import type { StageRecord } from '../lockfile.js';
import type { Project } from '../project.js';
import { stageKey, type KeyInputs } from './key.js';

export interface StageInputs extends KeyInputs {
  key: string;
  snapshots: DepSnapshot[];
}

export async function computeInputs(
  project: Project,
  stage: StageSpec,
  upstream: Record<string, Record<string, string>>,
): Promise<StageInputs> {
  const impl = project.implementation(stage);
  const code = project.fingerprint(impl.module).hash;
  const env = impl.definition.environment ? await impl.definition.environment(stage.params) : {};
  const snapshots: DepSnapshot[] = [];
  for (const dep of stage.deps) snapshots.push(await snapshotDep(project.root, dep, { stats: project.stats, statDir: project.layout.depStats, index: project.depIndex, store: project.store }));
  const inputs: KeyInputs = { uses: stage.uses, code, version: impl.definition.version, params: stage.params, env, deps: snapshots, upstream };
  return { ...inputs, key: stageKey(inputs), snapshots };
}

const MAX_FILES_NAMED = 5;

/** Why the current inputs differ from a recorded run, most telling reasons first. */
export async function explainDifference(project: Project, now: StageInputs, before: StageRecord | undefined): Promise<StaleReason[]> {
  if (!before) return [{ reason: 'never-ran' }];
  const reasons: StaleReason[] = [];
  if (before.code !== now.code || before.version !== now.version) reasons.push({ reason: 'code-changed', from: `${before.code}/v${before.version}`, to: `${now.code}/v${now.version}` });
  const keys = new Set([...Object.keys(before.params), ...Object.keys(now.params)]);
  for (const param of [...keys].sort()) {
    const a = before.params[param];
    const b = now.params[param];
    const same = a !== undefined && b !== undefined ? canonicalJson(a) === canonicalJson(b) : a === b;
    if (!same) reasons.push({ reason: 'param-changed', param, from: a ?? null, to: b ?? null });
  }
  for (const what of new Set([...Object.keys(before.env), ...Object.keys(now.env)])) {
    if (before.env[what] !== now.env[what]) reasons.push({ reason: 'environment-changed', what, from: before.env[what] ?? '(none)', to: now.env[what] ?? '(none)' });
  }
  for (const snap of now.snapshots) {
    const old = before.deps.find((d) => d.path === snap.path);
    if (old && old.hash === snap.hash) continue;
    if (old && project.store.has(old.listing)) {
      const { changes, total } = await diffListings(readListing(project.store, old.listing, snap.path), snap.each(), MAX_FILES_NAMED);
      const files = changes.map((f) => ({ ...f, path: f.path ? `${snap.path}/${f.path}` : snap.path }));
      reasons.push({ reason: 'deps-changed', files, more: Math.max(0, total - files.length) });
    } else {
      reasons.push({ reason: 'deps-changed', files: [{ path: snap.path, change: old ? 'modified' : 'added' }], more: 0 });
    }
  }
  for (const dep of before.deps) {
    if (!now.snapshots.some((s) => s.path === dep.path)) reasons.push({ reason: 'deps-changed', files: [{ path: dep.path, change: 'removed' }], more: 0 });
  }
  for (const [up, outputs] of Object.entries(now.upstream)) {
    const old = before.upstream[up];
    if (!old || canonicalJson(old) !== canonicalJson(outputs)) reasons.push({ reason: 'upstream-changed', stage: up });
  }
  if (reasons.length === 0 && before.key !== now.key) reasons.push({ reason: 'code-changed', from: before.key, to: now.key });
  return reasons;
}
