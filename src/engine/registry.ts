// Stage implementations by `uses` name: the built-ins the application hands to the engine, plus
// those of plugin modules named in pipeline.yaml. Loading a stage module must be cheap (heavy
// libraries are imported inside `run`), since `status` loads every stage's definition.
import type { StageDefinition } from './stage-api.js';

export interface ResolvedStage {
  definition: StageDefinition;
  /** file URL of the module that defines it: its code fingerprint starts there */
  module: string;
}

export interface StageRegistry {
  names(plugins: readonly string[]): Promise<string[]>;
  resolve(uses: string, plugins: readonly string[]): Promise<ResolvedStage | undefined>;
}

type StageModule = { default?: unknown; stage?: unknown; stages?: unknown };

function isDefinition(value: unknown): value is StageDefinition {
  return typeof value === 'object' && value !== null && typeof (value as StageDefinition).name === 'string' && typeof (value as StageDefinition).run === 'function';
}

function definitionsOf(loaded: StageModule): StageDefinition[] {
  const candidates = [loaded.default, loaded.stage, loaded.stages].flatMap((v) => (Array.isArray(v) ? v : [v]));
  return candidates.filter(isDefinition);
}

/** `builtins`: uses name → file URL of the module whose default export defines it. */
export function createRegistry(builtins: Readonly<Record<string, string>>): StageRegistry {
  const loaded = new Map<string, Promise<StageDefinition[]>>();
  const load = (module: string): Promise<StageDefinition[]> => {
    let pending = loaded.get(module);
    if (!pending) {
      pending = import(module).then((m: StageModule) => definitionsOf(m));
      loaded.set(module, pending);
    }
    return pending;
  };
  return {
    async names(plugins) {
      const fromPlugins = (await Promise.all(plugins.map(load))).flat().map((d) => d.name);
      return [...new Set([...Object.keys(builtins), ...fromPlugins])].sort();
    },
    async resolve(uses, plugins) {
      for (const plugin of plugins) {
        const found = (await load(plugin)).find((d) => d.name === uses);
        if (found) return { definition: found, module: plugin };
      }
      const module = builtins[uses];
      if (!module) return undefined;
      const found = (await load(module)).find((d) => d.name === uses);
      return found ? { definition: found, module } : undefined;
    },
  };
}
