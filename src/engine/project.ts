// A project opened for one command: its parsed pipeline, its cache, and the stage
// implementations it uses. Everything else in the engine works on a Project.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hasFiles } from './config/has-files.js';
import { parseInputsHash, readParsedCache, writeParsedCache } from './config/parsed-cache.js';
import type { PipelineSpec, StageSpec } from './config/pipeline-spec.js';
import { fingerprintModule, type Fingerprint } from './fingerprint.js';
import { initHashing } from './hash.js';
import { readLock, type PipelineLock } from './lockfile.js';
import type { StageRegistry, ResolvedStage } from './registry.js';
import { err, ok, type GlioflowError, type Result } from './result.js';
import type { JsonValue } from './stage-api.js';
import { StatCache } from './stat-cache.js';
import { DepIndex } from './file-tree.js';
import { cacheLayout, type CacheLayout } from './store/cache-layout.js';
import { ObjectStore } from './store/object-store.js';

export interface ProjectOptions {
  root: string;
  registry: StageRegistry;
  pipelineFile?: string;
  cacheDir?: string;
  profile?: string;
  vars?: Record<string, JsonValue>;
}

export interface Project {
  root: string;
  spec: PipelineSpec;
  layout: CacheLayout;
  store: ObjectStore;
  /** content hashes of dep files (loaded only when a dep's stat signature changed) */
  stats: StatCache;
  /** content hashes of materialised outputs (small: a few files per stage) */
  outputStats: StatCache;
  depIndex: DepIndex;
  lock: PipelineLock;
  stage(name: string): StageSpec;
  implementation(stage: StageSpec): ResolvedStage;
  fingerprint(module: string): Fingerprint;
}

export async function openProject(options: ProjectOptions): Promise<Result<Project, GlioflowError[]>> {
  const root = resolve(options.root);
  const file = resolve(root, options.pipelineFile ?? 'pipeline.yaml');
  if (!existsSync(file)) {
    return err([{ kind: 'missing-pipeline', message: `no pipeline file at ${file}`, location: { file }, hint: 'run glioflow in the project folder, or pass --pipeline FILE' }]);
  }
  await initHashing();
  const text = readFileSync(file, 'utf8');
  const layout = cacheLayout(root, options.cacheDir ? resolve(root, options.cacheDir) : join(root, 'cache'));
  const fingerprints = new Map<string, Fingerprint>();
  const fingerprint = (module: string): Fingerprint => {
    let fp = fingerprints.get(module);
    if (!fp) {
      fp = fingerprintModule(module);
      fingerprints.set(module, fp);
    }
    return fp;
  };
  const resolved = new Map<string, ResolvedStage>();
  const source = parseInputsHash(text, file, options.profile, options.vars);
  let spec: PipelineSpec;
  const cached = readParsedCache(layout.parsedPipeline, source, root, hasFiles, (m) => fingerprint(m).hash);
  if (cached) {
    spec = cached.spec;
    for (const uses of new Set(spec.stages.map((s) => s.uses))) {
      const found = await options.registry.resolve(uses, spec.plugins);
      if (!found) return err([{ kind: 'unknown-uses', message: `no stage implementation named "${uses}"`, location: { file } }]);
      resolved.set(uses, found);
    }
  } else {
    // the YAML parser is loaded only here: a no-op run with an unchanged pipeline never needs it
    const { parsePipeline } = await import('./config/parse-pipeline.js');
    const parsed = await parsePipeline(file, text, {
      root,
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.vars ? { vars: options.vars } : {}),
      knownStages: (plugins) => options.registry.names(plugins),
      checkDeps: false, // a command checks the deps of the stages it runs (missing-deps.ts)
      resolveStage: async (uses, plugins) => {
        const found = await options.registry.resolve(uses, plugins);
        if (found) resolved.set(uses, found);
        return found?.definition;
      },
    });
    if (!parsed.ok) return err(parsed.errors);
    spec = parsed.spec;
    const stageModules = Object.fromEntries([...resolved].map(([uses, r]) => [uses, { module: r.module, code: fingerprint(r.module).hash }]));
    await writeParsedCache(layout.parsedPipeline, { source, spec, stageModules });
  }
  const byName = new Map(spec.stages.map((s) => [s.name, s]));
  return ok({
    root,
    spec,
    layout,
    store: new ObjectStore(layout.objects),
    stats: new StatCache(layout.statCache),
    outputStats: new StatCache(layout.outputStatCache),
    depIndex: new DepIndex(layout.depIndex),
    lock: readLock(layout.pipelineLock),
    stage(name) {
      const found = byName.get(name);
      if (!found) throw new Error(`unknown stage ${name}`);
      return found;
    },
    implementation(stage) {
      const found = resolved.get(stage.uses);
      if (!found) throw new Error(`stage implementation ${stage.uses} was not resolved`);
      return found;
    },
    fingerprint,
  });
}
