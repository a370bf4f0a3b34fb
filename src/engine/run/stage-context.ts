// The StageContext a stage's `run` receives: its params, its inputs, item mapping, and the only
// ways it may produce outputs (into the cache) and report (as engine events).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageSpec } from '../config/pipeline-spec.js';
import type { EngineEvent } from '../events.js';
import type { DepSnapshot } from '../file-tree.js';
import { GlioflowFailure } from '../result.js';
import type { DepFile, JsonValue, OutputRef, StageContext, UpstreamOutputs } from '../stage-api.js';
import type { Project } from '../project.js';
import { forEachItem, mapItems, type ItemRunner } from './items.js';
import { materialize } from './materialized.js';

export interface ContextParts {
  project: Project;
  stage: StageSpec;
  key: string;
  snapshots: DepSnapshot[];
  upstream: UpstreamOutputs[];
  scratchDir: string;
  stateDir: string;
  signal: AbortSignal;
  runner: ItemRunner;
  outputs: Record<string, OutputRef>;
  recorded: Record<string, JsonValue>;
  emit(event: EngineEvent): void;
}

const PROGRESS_EVERY_MS = 100;

export function upstreamView(project: Project, stage: StageSpec, key: string, outputs: Record<string, OutputRef>): UpstreamOutputs {
  const path = (output: string): string => {
    const ref = outputs[output];
    if (!ref) throw new GlioflowFailure({ kind: 'missing-output', message: `stage ${stage.name} has no output "${output}" (it has: ${Object.keys(outputs).join(', ') || 'none'})`, stage: stage.name });
    return project.store.path(ref.hash);
  };
  return {
    stage: stage.name,
    uses: stage.uses,
    ...(stage.element === undefined ? {} : { element: stage.element }),
    key,
    outputs,
    path,
    read: (output) => readFile(path(output)),
    readJson: async <T,>(output: string) => JSON.parse((await readFile(path(output))).toString('utf8')) as T,
  };
}

export function createStageContext(parts: ContextParts): StageContext {
  const { project, stage, emit } = parts;
  let lastProgress = 0;
  const progress = (u: { unit: string; done: number; total: number; cached?: number; phase?: string }): void => {
    const now = Date.now();
    if (u.done < u.total && now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    emit({ type: 'progress', stage: stage.name, unit: u.unit, done: u.done, total: u.total, cached: u.cached ?? 0, ...(u.phase ? { phase: u.phase } : {}) });
  };
  parts.runner.progress = progress;

  const addOutput = (name: string, ref: OutputRef): OutputRef => {
    if (parts.outputs[name]) throw new GlioflowFailure({ kind: 'duplicate-output', message: `output "${name}" written twice`, stage: stage.name });
    parts.outputs[name] = ref;
    return ref;
  };
  const pick = (uses: string): UpstreamOutputs[] => parts.upstream.filter((u) => u.uses === uses);
  async function* eachDepFile(): AsyncGenerator<DepFile> {
    for (const snap of parts.snapshots) {
      for await (const f of snap.each()) {
        yield { path: f.relative ? join(project.root, snap.path, f.relative) : join(project.root, snap.path), relative: f.relative, dep: snap.path, hash: f.hash, size: f.size };
      }
    }
  }

  return {
    stage: stage.name,
    params: stage.params,
    element: stage.element,
    root: project.root,
    deps: stage.deps.map((d) => join(project.root, d)),
    signal: parts.signal,
    key: parts.key,
    scratchDir: parts.scratchDir,
    stateDir: parts.stateDir,
    upstream: parts.upstream,
    async depFiles(): Promise<DepFile[]> {
      const out: DepFile[] = [];
      for await (const f of eachDepFile()) out.push(f);
      return out;
    },
    eachDepFile,
    depFileCount: parts.snapshots.reduce((n, s) => n + s.count, 0),
    upstreamOf(uses) {
      const found = pick(uses);
      if (found.length !== 1) {
        throw new GlioflowFailure({ kind: 'bad-needs', message: `stage ${stage.name} needs exactly one stage that uses "${uses}", found ${found.length}`, stage: stage.name, location: stage.location, hint: `add it to \`needs\` of ${stage.base} in pipeline.yaml` });
      }
      return found[0] as UpstreamOutputs;
    },
    upstreamAll: pick,
    mapItems: (items, work, options) => mapItems(parts.runner, items, work, options),
    forEachItem: (items, work, options, each) => forEachItem(parts.runner, items, work, options, each),
    async writeOutput(name, data, options) {
      const { hash, size } = await project.store.put(data);
      if (options?.materialize) await materialize(project, hash, options.materialize);
      return addOutput(name, { hash, size, ...(options?.materialize ? { materialized: options.materialize } : {}) });
    },
    async writeOutputFile(name, file, options) {
      const { hash, size } = await project.store.putFile(file);
      if (options?.materialize) await materialize(project, hash, options.materialize);
      return addOutput(name, { hash, size, ...(options?.materialize ? { materialized: options.materialize } : {}) });
    },
    record(name, value) {
      parts.recorded[name] = value;
    },
    progress,
    metrics(reason, step, values) {
      emit({ type: 'metrics', stage: stage.name, reason, step, values });
    },
    log(level, message, context) {
      emit({ type: 'log', level, message, stage: stage.name, ...(context?.item ? { item: context.item } : {}), ...(context?.file ? { file: context.file } : {}) });
    },
  };
}
