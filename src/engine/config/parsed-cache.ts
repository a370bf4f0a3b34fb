// pipeline.yaml parsed once, then reused while nothing that decided the parse changed: its text,
// the command-line overrides, which `when_empty` paths hold files, and the code of the stage
// implementations (their declared params). Whether deps exist is not part of the parse: commands
// check the stages they run. Saves loading the YAML parser on every no-op run, which is most of
// glioflow's start-up cost.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic.js';
import { canonicalJson, hashString } from '../hash.js';
import type { JsonValue } from '../stage-api.js';
import type { PipelineSpec } from './pipeline-spec.js';

export interface ParsedCacheEntry {
  source: string;
  spec: PipelineSpec;
  /** uses name → module URL and its code fingerprint at parse time */
  stageModules: Record<string, { module: string; code: string }>;
}

export function parseInputsHash(text: string, file: string, profile: string | undefined, vars: Record<string, JsonValue> | undefined): string {
  return hashString(canonicalJson({ format: 2, text, file, profile: profile ?? null, vars: vars ?? {} }));
}

export function readParsedCache(
  cacheFile: string,
  source: string,
  root: string,
  hasFiles: (path: string) => boolean,
  codeOf: (module: string) => string,
): ParsedCacheEntry | undefined {
  let entry: ParsedCacheEntry;
  try {
    entry = JSON.parse(readFileSync(cacheFile, 'utf8')) as ParsedCacheEntry;
  } catch {
    return undefined;
  }
  if (entry.source !== source) return undefined;
  if (!entry.spec.profileEvidence.every((e) => hasFiles(join(root, e.path)) === e.hasFiles)) return undefined;
  if (!entry.spec.plugins.every((p) => existsSync(new URL(p)))) return undefined;
  for (const { module, code } of Object.values(entry.stageModules)) {
    try {
      if (codeOf(module) !== code) return undefined;
    } catch {
      return undefined;
    }
  }
  return entry;
}

export async function writeParsedCache(cacheFile: string, entry: ParsedCacheEntry): Promise<void> {
  await writeFileAtomic(cacheFile, JSON.stringify(entry));
}
