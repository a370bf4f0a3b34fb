// The scheduler: stages in dependency order, independent ones concurrently. A stage whose key
// is already in the cache is restored, not run. A failing stage stops its dependants only;
// everything that finished is recorded at once, so the next run resumes from there.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageSpec } from '../config/pipeline-spec.js';
import { closure, topologicalOrder } from '../dag.js';
import type { EngineEvent, EngineListener, RunStageSummary, StaleReason } from '../events.js';
import { lockEntry, writeLock, type StageRecord } from '../lockfile.js';
import type { Project } from '../project.js';
import { toGlioflowError, type GlioflowError } from '../result.js';
import type { JsonValue, OutputRef, UpstreamOutputs } from '../stage-api.js';
import { randomHex } from '../random-hex.js';
import { safeName } from '../store/cache-layout.js';
import { manifestPath, readKeyRecord, recordIsComplete, touchKeyRecord, writeKeyRecord, writeManifest } from '../store/records.js';
import type { ItemRunner } from './items.js';
import { ItemKeyLog } from '../store/item-key-list.js';
import { computeInputs, explainDifference, type StageInputs } from './stage-inputs.js';
import { dropMaterialized, materialize, removeDir, staleMaterialized } from './materialized.js';
import type { WorkerPool } from './worker-pool.js';

// What only a stage that actually runs needs (context, item mapping, worker pool, environment
// facts) is imported on the first cache miss: a no-op run never loads it.
const executionModules = async () => {
  const [context, pool, environment] = await Promise.all([import('./stage-context.js'), import('./worker-pool.js'), import('./environment.js')]);
  return { ...context, ...pool, ...environment };
};

export interface RunOptions {
  /** stage names (instances or foreach base names); empty = all */
  stages?: readonly string[];
  force?: boolean;
  signal?: AbortSignal;
  listener: EngineListener;
  /** worker threads for item work (default: available cores) */
  workers?: number;
}

export interface RunResult {
  ok: boolean;
  interrupted: boolean;
  stages: RunStageSummary[];
  seconds: number;
}

interface Finished {
  key: string;
  outputs: Record<string, OutputRef>;
}

export function selectStages(project: Project, requested: readonly string[] | undefined): { selected: StageSpec[]; unknown: string[] } {
  const stages = project.spec.stages;
  if (!requested || requested.length === 0) return { selected: topologicalOrder(stages), unknown: [] };
  const names: string[] = [];
  const unknown: string[] = [];
  for (const r of requested) {
    const matches = stages.filter((s) => s.name === r || s.base === r).map((s) => s.name);
    if (matches.length === 0) unknown.push(r);
    names.push(...matches);
  }
  const wanted = closure(stages, names);
  return { selected: topologicalOrder(stages).filter((s) => wanted.has(s.name)), unknown };
}

export async function runPipeline(project: Project, options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const emit = (event: EngineEvent): void => options.listener(event);
  const controller = new AbortController();
  const abortFromOutside = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abortFromOutside, { once: true });
  const signal = controller.signal;

  const { selected } = selectStages(project, options.stages);
  // --force reruns the named stages (instances or foreach bases), not what they need; all when none is named
  const named = options.stages ?? [];
  const forced = new Set(options.force ? selected.filter((s) => named.length === 0 || named.includes(s.name) || named.includes(s.base)).map((s) => s.name) : []);
  const runId = `${new Date(started).toISOString().replace(/[:.]/g, '-')}-${randomHex(6)}`;
  let pool: WorkerPool | undefined;
  const summaries = new Map<string, RunStageSummary>();
  const finished = new Map<string, Finished>();
  const failed = new Set<string>();
  let cacheHits = 0;
  let cacheMisses = 0;
  let lockWrite: Promise<void> = Promise.resolve();
  const saveLock = (): Promise<void> => (lockWrite = lockWrite.then(() => writeLock(project.layout.pipelineLock, project.lock)));

  emit({ type: 'run', reason: 'started', runId, stages: selected.map((s) => s.name), cacheDir: project.layout.root });
  for (const s of selected) emit({ type: 'stage', reason: 'queued', stage: s.name });

  const upstreamOutputsOf = (stage: StageSpec): Record<string, Record<string, string>> =>
    Object.fromEntries(
      stage.needs.map((need) => {
        const f = finished.get(need) as Finished;
        return [need, Object.fromEntries(Object.entries(f.outputs).map(([name, ref]) => [name, ref.hash]))];
      }),
    );

  const dropOld = async (stage: string, before: StageRecord | undefined, after: Record<string, OutputRef>): Promise<void> => {
    // what every other stage materialises (as the lock and this run know it) stays, whoever wrote it first
    const claimed = new Set<string>();
    for (const [name, entry] of Object.entries(project.lock.stages)) if (name !== stage) for (const ref of Object.values(entry.outputs ?? {})) if (ref.materialized) claimed.add(ref.materialized);
    for (const [name, f] of finished) if (name !== stage) for (const ref of Object.values(f.outputs)) if (ref.materialized) claimed.add(ref.materialized);
    const { removed, edited, failed } = await dropMaterialized(project, before?.outputs, after, claimed);
    for (const file of removed) emit({ type: 'log', level: 'info', stage, message: `removed ${file}: no longer an output of ${stage}` });
    for (const file of edited) emit({ type: 'log', level: 'warn', stage, message: `left ${file}: no longer an output of ${stage}, but edited since it was written` });
    for (const file of failed) emit({ type: 'log', level: 'warn', stage, message: `could not remove ${file} (no longer an output of ${stage})` });
  };

  const restoreMaterialized = async (record: StageRecord): Promise<string[]> => {
    const stale = await staleMaterialized(project, record.outputs);
    for (const ref of stale) await materialize(project, ref.hash, ref.materialized as string);
    return stale.map((ref) => ref.materialized as string);
  };

  const runStage = async (stage: StageSpec): Promise<void> => {
    const t0 = Date.now();
    const inputs: StageInputs = await computeInputs(project, stage, upstreamOutputsOf(stage));
    const previous = project.lock.stages[stage.name];
    const known = forced.has(stage.name) ? undefined : readKeyRecord(project.layout, inputs.key);
    if (known && recordIsComplete(known, project.store)) {
      touchKeyRecord(project.layout, known.key);
      const restored = await restoreMaterialized(known);
      const record: StageRecord = { ...known, stage: stage.name };
      finished.set(stage.name, { key: inputs.key, outputs: record.outputs });
      if (!previous || previous.key !== record.key || previous.manifest !== record.manifest) {
        await dropOld(stage.name, previous, record.outputs);
        project.lock.stages[stage.name] = lockEntry(record);
        await saveLock();
      }
      cacheHits++;
      summaries.set(stage.name, { name: stage.name, status: 'cached', items: { total: known.items.total, ran: 0, cached: known.items.total }, seconds: (Date.now() - t0) / 1000, key: inputs.key });
      emit({ type: 'stage', reason: 'cached', stage: stage.name, key: inputs.key, restored });
      return;
    }
    cacheMisses++;
    const why: StaleReason[] = forced.has(stage.name) ? [{ reason: 'forced' }] : await explainDifference(project, inputs, previous);
    emit({ type: 'stage', reason: 'started', stage: stage.name, key: inputs.key, why });

    const { createStageContext, upstreamView, environmentFacts, WorkerPool } = await executionModules();
    pool ??= new WorkerPool((busy, size) => emit({ type: 'pool', busy, size }), options.workers);
    const impl = project.implementation(stage);
    const scratchDir = join(project.layout.tmp, `${runId}-${safeName(stage.name)}`);
    const stateDir = join(project.layout.state, safeName(stage.name), inputs.key);
    await mkdir(scratchDir, { recursive: true });
    await mkdir(stateDir, { recursive: true });
    const outputs: Record<string, OutputRef> = {};
    const recorded: Record<string, JsonValue> = {};
    const runner: ItemRunner = {
      layout: project.layout,
      pool,
      stage: stage.name,
      signal,
      stageCode: inputs.code,
      moduleCode: (module) => project.fingerprint(module).hash,
      itemKeys: new ItemKeyLog(join(scratchDir, '.glioflow-item-keys')),
      counts: { total: 0, ran: 0, cached: 0, failed: 0 },
      progress: () => undefined,
    };
    const upstream: UpstreamOutputs[] = stage.needs.map((need) => {
      const f = finished.get(need) as Finished;
      return upstreamView(project, project.stage(need), f.key, f.outputs);
    });
    const ctx = createStageContext({ project, stage, key: inputs.key, snapshots: inputs.snapshots, upstream, scratchDir, stateDir, signal, runner, outputs, recorded, emit });
    const startedAt = new Date(t0).toISOString();
    try {
      await impl.definition.run(ctx);
      if (signal.aborted) throw signal.reason ?? new Error('interrupted');
      const deps = [];
      for (const snap of inputs.snapshots) deps.push({ path: snap.path, kind: snap.kind, hash: snap.hash, files: snap.count, listing: snap.listing });
      const finishedAt = new Date().toISOString();
      const manifest = manifestPath(project.layout, stage.name, finishedAt, inputs.key);
      const record: StageRecord = {
        stage: stage.name,
        uses: stage.uses,
        key: inputs.key,
        code: inputs.code,
        version: inputs.version,
        params: stage.params,
        env: inputs.env,
        deps,
        upstream: inputs.upstream,
        outputs,
        items: runner.counts,
        ...(await runner.itemKeys.finish(project.store)),
        record: recorded,
        manifest: manifest.slice(project.root.length + 1),
        startedAt,
        finishedAt,
      };
      await writeManifest(manifest, {
        ...record,
        runId,
        codeFiles: project.fingerprint(impl.module).files,
        packages: project.fingerprint(impl.module).packages,
        environment: environmentFacts(),
        why,
      });
      await writeKeyRecord(project.layout, record);
      await dropOld(stage.name, previous, outputs);
      project.lock.stages[stage.name] = lockEntry(record);
      await saveLock();
      finished.set(stage.name, { key: inputs.key, outputs });
      await removeDir(stateDir);
      const seconds = (Date.now() - t0) / 1000;
      summaries.set(stage.name, { name: stage.name, status: 'ran', items: { total: runner.counts.total, ran: runner.counts.ran, cached: runner.counts.cached }, seconds, key: inputs.key });
      emit({ type: 'stage', reason: 'finished', stage: stage.name, key: inputs.key, seconds, items: { ...runner.counts } });
    } catch (error) {
      const seconds = (Date.now() - t0) / 1000;
      failed.add(stage.name);
      summaries.set(stage.name, { name: stage.name, status: 'failed', items: { total: runner.counts.total, ran: runner.counts.ran, cached: runner.counts.cached }, seconds, key: inputs.key });
      const detail: GlioflowError = signal.aborted
        ? { kind: 'interrupted', message: 'interrupted; finished items are kept and the next run resumes', stage: stage.name }
        : toGlioflowError(error, { stage: stage.name });
      emit({ type: 'stage', reason: 'failed', stage: stage.name, seconds, error: detail });
    } finally {
      runner.itemKeys.abandon();
      await removeDir(scratchDir);
    }
  };

  // Start every stage whose needs are met; a stage whose need failed is skipped.
  const pending = new Map(selected.map((s) => [s.name, s]));
  const running = new Map<string, Promise<void>>();
  const held = new Set<string>();
  const resourcesOf = (stage: StageSpec): readonly string[] => project.implementation(stage).definition.resources ?? [];
  try {
    while (pending.size > 0 || running.size > 0) {
      for (const [name, stage] of pending) {
        if (signal.aborted) break;
        const blocked = stage.needs.find((n) => failed.has(n) || (summaries.get(n)?.status === 'skipped'));
        if (blocked) {
          pending.delete(name);
          summaries.set(name, { name, status: 'skipped', items: { total: 0, ran: 0, cached: 0 }, seconds: 0, key: null });
          emit({ type: 'stage', reason: 'skipped', stage: name, because: `${blocked} did not finish` });
          continue;
        }
        if (stage.needs.every((n) => finished.has(n))) {
          const resources = resourcesOf(stage);
          if (resources.some((r) => held.has(r))) continue;
          pending.delete(name);
          for (const r of resources) held.add(r);
          running.set(
            name,
            runStage(stage).finally(() => {
              running.delete(name);
              for (const r of resources) held.delete(r);
            }),
          );
        }
      }
      if (signal.aborted && running.size === 0) break;
      if (running.size === 0) break; // nothing could start: every pending stage waits on a failed one
      await Promise.race(running.values());
    }
  } finally {
    await lockWrite;
    await project.stats.save();
    await project.outputStats.save();
    await project.depIndex.save();
    await pool?.close();
    options.signal?.removeEventListener('abort', abortFromOutside);
  }

  for (const [name] of pending) summaries.set(name, { name, status: 'skipped', items: { total: 0, ran: 0, cached: 0 }, seconds: 0, key: null });
  const stages = selected.map((s) => summaries.get(s.name) ?? { name: s.name, status: 'skipped' as const, items: { total: 0, ran: 0, cached: 0 }, seconds: 0, key: null });
  const ok = !signal.aborted && stages.every((s) => s.status === 'ran' || s.status === 'cached');
  const seconds = (Date.now() - started) / 1000;
  if (signal.aborted) emit({ type: 'run', reason: 'interrupted', message: 'interrupted: finished stages and items are kept; the next `glioflow run` resumes' });
  emit({ type: 'run', reason: 'finished', ok, seconds, stages, cacheHits, cacheMisses });
  return { ok, interrupted: signal.aborted, stages, seconds };
}
