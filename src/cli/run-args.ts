// Argument parsing for the one hot command, `glioflow run`, with Node's own util.parseArgs, so
// that a no-op rerun does not load commander (~10 ms of a ~100 ms process). Only the plain forms
// are taken here; anything else — help, --version, an invalid value, an unknown option, another
// verb — returns undefined and goes to commander, which owns every message.
import { parseArgs } from 'node:util';
import type { GlobalOptions } from './common.js';
import type { RunFlags } from './run.js';

export interface ParsedRun {
  globals: GlobalOptions;
  stages: string[];
  flags: RunFlags;
}

/** Options of the `run` verb itself: commander takes them only after the verb. */
const RUN_ONLY = new Set(['force', 'json', 'no-ui', 'no-wait', 'workers']);

const OPTIONS = {
  cwd: { type: 'string', short: 'C' },
  pipeline: { type: 'string' },
  cache: { type: 'string' },
  profile: { type: 'string' },
  set: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  'no-ui': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  workers: { type: 'string' },
} as const;

/** `args` = process.argv.slice(2). */
export function parseRunArgs(args: readonly string[]): ParsedRun | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch {
    return undefined;
  }
  const [verb, ...stages] = parsed.positionals;
  if (verb !== 'run') return undefined;
  // `glioflow --force run` is an error in commander (--force is not a global option): leave it there
  const verbAt = parsed.tokens.findIndex((t) => t.kind === 'positional');
  if (parsed.tokens.some((t, i) => i < verbAt && t.kind === 'option' && RUN_ONLY.has(t.name))) return undefined;
  // A stage named like an option was meant as one (`run train -- --force` is not a thing we use).
  if (stages.some((s) => s.startsWith('-'))) return undefined;
  const v = parsed.values;
  // an invalid --workers is commander's to report (a usage error)
  if (v.workers !== undefined && !/^[1-9]\d*$/.test(v.workers)) return undefined;
  const flags = runFlagsOf({
    force: v.force,
    json: v.json,
    ui: v['no-ui'] ? false : undefined,
    wait: v['no-wait'] ? false : undefined,
    workers: v.workers === undefined ? undefined : Number.parseInt(v.workers, 10),
  });
  const globals: GlobalOptions = { cwd: v.cwd ?? '.', pipeline: v.pipeline ?? 'pipeline.yaml', cache: v.cache ?? 'cache' };
  if (v.profile !== undefined) globals.profile = v.profile;
  if (v.set !== undefined) globals.set = v.set;
  return { globals, stages, flags };
}

/** `run`'s flags in one shape, whichever parser read them: only what differs from the defaults is set. */
export function runFlagsOf(o: { force?: boolean | undefined; json?: boolean | undefined; ui?: boolean | undefined; wait?: boolean | undefined; workers?: number | undefined }): RunFlags {
  const flags: RunFlags = {};
  if (o.force) flags.force = true;
  if (o.json) flags.json = true;
  if (o.ui === false) flags.ui = false;
  if (o.wait === false) flags.wait = false;
  if (o.workers !== undefined) flags.workers = o.workers;
  return flags;
}
