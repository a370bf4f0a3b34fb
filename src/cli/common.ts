// What every verb shares: opening the project with glioflow's stages, and printing errors.
import { resolve } from 'node:path';
import { openProject, type Project } from '../engine/project.js';
import { createRegistry } from '../engine/registry.js';
import { formatError, type GlioflowError } from '../engine/result.js';
import type { JsonValue } from '../engine/stage-api.js';
import { builtinStages } from '../stages/registry.js';

export interface GlobalOptions {
  cwd: string;
  pipeline: string;
  cache: string;
  profile?: string;
  set?: string[];
}

function parseSets(sets: readonly string[] | undefined): Record<string, JsonValue> | { error: string } {
  const vars: Record<string, JsonValue> = {};
  for (const item of sets ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) return { error: `--set ${item}: expected NAME=VALUE` };
    const raw = item.slice(eq + 1);
    let value: JsonValue;
    try {
      value = JSON.parse(raw) as JsonValue;
    } catch {
      value = raw;
    }
    vars[item.slice(0, eq)] = value;
  }
  return vars;
}

export function printErrors(errors: readonly GlioflowError[]): void {
  for (const e of errors) process.stderr.write(`error: ${formatError(e)}\n`);
}

export async function open(globals: GlobalOptions): Promise<Project | undefined> {
  const vars = parseSets(globals.set);
  if ('error' in vars) {
    printErrors([{ kind: 'usage', message: String(vars.error) }]);
    return undefined;
  }
  const opened = await openProject({
    root: resolve(globals.cwd),
    registry: createRegistry(builtinStages),
    pipelineFile: globals.pipeline,
    cacheDir: globals.cache,
    ...(globals.profile ? { profile: globals.profile } : {}),
    vars,
  });
  if (!opened.ok) {
    printErrors(opened.error);
    return undefined;
  }
  return opened.value;
}
