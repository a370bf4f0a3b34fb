// pipeline.yaml → PipelineSpec. Every problem becomes a positioned GlioflowError that says what
// to do; all of them are collected, so a user fixes a file in one pass, not one error per run.
import { existsSync } from 'node:fs';
import { hasFiles } from './has-files.js';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { GlioflowError } from '../result.js';
import type { JsonValue, Params, StageDefinition } from '../stage-api.js';
import { checkParams } from './check-params.js';
import { missingDeps } from './missing-deps.js';
import { findCycle } from '../dag.js';
import type { PipelineSpec, StageSpec } from './pipeline-spec.js';
import { didYouMean } from './suggest.js';
import { mapEntries, Positions, seqItems, toJson, type Entry } from './yaml-nodes.js';

const TOP_KEYS = ['vars', 'profiles', 'shared', 'plugins', 'stages'] as const;
const STAGE_KEYS = ['uses', 'needs', 'deps', 'params', 'foreach', 'shared', 'description'] as const;

export interface ParseOptions {
  /** project root: deps are relative to it */
  root: string;
  /** a profile name, or undefined to choose automatically (`when_empty`) */
  profile?: string;
  /** extra var overrides from the command line */
  vars?: Record<string, JsonValue>;
  /** looks up a stage implementation by its `uses` name (built-ins and plugins) */
  resolveStage(uses: string, plugins: readonly string[]): Promise<StageDefinition | undefined>;
  knownStages(plugins: readonly string[]): Promise<string[]>;
  /**
   * Whether a dep that does not exist is an error of the file (default true). Commands pass false and check
   * only the stages they run (missing-deps.ts), so a stage that is not run never blocks one that is.
   */
  checkDeps?: boolean;
}

export type ParseResult = { ok: true; spec: PipelineSpec } | { ok: false; errors: GlioflowError[] };

const VAR = /\$\{([A-Za-z_][\w.-]*)\}/g;

/** Substitutes `${name}`: a string that is exactly one reference keeps the value's type. */
function substitute(value: JsonValue, scope: Record<string, JsonValue>, missing: Set<string>): JsonValue {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Za-z_][\w.-]*)\}$/.exec(value);
    if (whole) {
      const found = lookup(scope, whole[1] as string);
      if (found === undefined) missing.add(whole[1] as string);
      return found ?? value;
    }
    return value.replace(VAR, (text, name: string) => {
      const found = lookup(scope, name);
      if (found === undefined) {
        missing.add(name);
        return text;
      }
      return typeof found === 'string' ? found : JSON.stringify(found);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, scope, missing));
  if (value && typeof value === 'object') {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, scope, missing);
    return out;
  }
  return value;
}

function lookup(scope: Record<string, JsonValue>, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = scope;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as { [k: string]: JsonValue })[part];
  }
  return current;
}

interface StageDraft {
  base: string;
  entry: Entry;
  fields: Map<string, Entry>;
}

export async function parsePipeline(file: string, text: string, options: ParseOptions): Promise<ParseResult> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const pos = new Positions(file, lines);
  const errors: GlioflowError[] = [];

  for (const e of doc.errors) {
    const at = e.linePos?.[0] ?? (e.pos?.[0] !== undefined ? lines.linePos(e.pos[0]) : undefined);
    errors.push({
      kind: 'yaml-syntax',
      message: `YAML syntax: ${e.message.split('\n')[0]}`,
      location: { file, ...(at ? { line: at.line, column: at.col } : {}) },
      hint: 'fix the YAML syntax (indentation, brackets, quotes) at this position',
    });
  }
  if (errors.length > 0) return { ok: false, errors };

  const top = mapEntries(doc.contents as YamlNode | null);
  if (!top) {
    const where = doc.contents ? pos.of(doc.contents as YamlNode) : { file, line: 1, column: 1 };
    return { ok: false, errors: [{ kind: 'bad-structure', message: `${doc.contents ? 'pipeline.yaml must be a mapping' : 'pipeline.yaml is empty'}: it needs a \`stages:\` key`, location: where, hint: 'start from the pipeline.yaml in the glioflow repository' }] };
  }
  const section = new Map<string, Entry>();
  for (const entry of top) {
    if (!(TOP_KEYS as readonly string[]).includes(entry.key)) {
      errors.push(pos.error(entry.keyNode, 'unknown-key', `unknown top-level key "${entry.key}"`, didYouMean(entry.key, TOP_KEYS)));
    } else section.set(entry.key, entry);
  }

  // vars, then the profile's overrides, then the command line's
  const vars: Record<string, JsonValue> = {};
  const varsEntry = section.get('vars');
  if (varsEntry) {
    const r = toJson(varsEntry.value, pos);
    if ('error' in r) errors.push(r.error);
    else if (r.value === null || typeof r.value !== 'object' || Array.isArray(r.value)) errors.push(pos.error(varsEntry.value, 'bad-structure', '`vars` must be a mapping of names to values'));
    else Object.assign(vars, r.value);
  }

  const evidence: { path: string; hasFiles: boolean }[] = [];
  const profile = chooseProfile(section.get('profiles'), options, pos, errors, evidence);
  Object.assign(vars, profile.vars, options.vars ?? {});

  const plugins: string[] = [];
  const pluginsEntry = section.get('plugins');
  if (pluginsEntry) {
    const items = seqItems(pluginsEntry.value);
    if (!items) errors.push(pos.error(pluginsEntry.value, 'bad-structure', '`plugins` must be a list of module paths'));
    for (const item of items ?? []) {
      const r = toJson(item, pos);
      if ('error' in r || typeof r.value !== 'string') {
        errors.push(pos.error(item, 'bad-structure', 'a plugin is a path to a JavaScript module'));
        continue;
      }
      const path = resolve(dirname(file), r.value);
      if (!existsSync(path)) errors.push(pos.error(item, 'missing-plugin', `plugin module ${r.value} does not exist`, 'build it first, or fix the path (relative to pipeline.yaml)'));
      else plugins.push(pathToFileURL(path).href);
    }
  }

  const shared = new Map<string, { node: YamlNode | null; params: Params }>();
  const sharedEntry = section.get('shared');
  if (sharedEntry) {
    const blocks = mapEntries(sharedEntry.value);
    if (!blocks) errors.push(pos.error(sharedEntry.value, 'bad-structure', '`shared` must map block names to parameter maps'));
    for (const block of blocks ?? []) {
      const r = toJson(block.value, pos);
      if ('error' in r) errors.push(r.error);
      else if (r.value === null || typeof r.value !== 'object' || Array.isArray(r.value)) errors.push(pos.error(block.value, 'bad-structure', `shared block "${block.key}" must be a mapping of params`));
      else shared.set(block.key, { node: block.value, params: r.value });
    }
  }

  const stagesEntry = section.get('stages');
  const stageEntries = mapEntries(stagesEntry?.value);
  if (!stagesEntry || !stageEntries) {
    errors.push(pos.error(stagesEntry?.value ?? (doc.contents as YamlNode | null), 'bad-structure', 'pipeline.yaml needs a `stages:` mapping of stage names to definitions'));
    return { ok: false, errors };
  }

  const drafts: StageDraft[] = [];
  for (const entry of stageEntries) {
    if (!/^[A-Za-z][\w-]*$/.test(entry.key)) {
      errors.push(pos.error(entry.keyNode, 'bad-name', `stage name "${entry.key}" must start with a letter and hold only letters, digits, - and _`));
      continue;
    }
    const fields = mapEntries(entry.value);
    if (!fields) {
      errors.push(pos.error(entry.value ?? entry.keyNode, 'bad-structure', `stage "${entry.key}" must be a mapping with at least \`uses:\``));
      continue;
    }
    const map = new Map<string, Entry>();
    for (const f of fields) {
      if (!(STAGE_KEYS as readonly string[]).includes(f.key)) errors.push(pos.error(f.keyNode, 'unknown-key', `unknown key "${f.key}" in stage "${entry.key}"`, didYouMean(f.key, STAGE_KEYS)));
      else map.set(f.key, f);
    }
    if (!map.has('uses')) errors.push(pos.error(entry.keyNode, 'missing-uses', `stage "${entry.key}" has no \`uses:\``, 'name the stage implementation it runs, e.g. `uses: index` (see `glioflow stages`)'));
    drafts.push({ base: entry.key, entry, fields: map });
  }

  // expand foreach into instances, substituting ${item} and vars
  interface Instance {
    spec: StageSpec;
    draft: StageDraft;
    needNodes: { name: string; node: YamlNode }[];
    depNodes: { path: string; node: YamlNode }[];
    paramsNode: YamlNode | null;
  }
  const instances: Instance[] = [];
  const byBase = new Map<string, string[]>();
  const known = await options.knownStages(plugins);

  for (const draft of drafts) {
    const foreachEntry = draft.fields.get('foreach');
    // A list gives ${item} per element; a mapping gives ${key} and ${item} (its value) per entry,
    // so elements can carry their own settings (e.g. a per-model budget).
    let elements: ({ name: string; key: JsonValue; item: JsonValue } | undefined)[] = [undefined];
    if (foreachEntry) {
      const r = toJson(foreachEntry.value, pos);
      const value = 'value' in r ? substitute(r.value, vars, new Set()) : null;
      const label = (v: JsonValue): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v));
      if ('error' in r) errors.push(r.error);
      else if (Array.isArray(value) && value.length > 0) elements = value.map((v) => ({ name: label(v), key: v, item: v }));
      else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
        elements = Object.entries(value).map(([k, v]) => ({ name: k, key: k, item: v }));
      } else errors.push(pos.error(foreachEntry.value, 'bad-structure', '`foreach` must be a non-empty list or mapping', 'list the elements, e.g. `foreach: [AlexNet2D, ViT]`'));
    }
    const names: string[] = [];
    const seenElements = new Set<string>();
    for (const element of elements) {
      const elementKey = element?.name ?? '';
      if (seenElements.has(elementKey)) {
        errors.push(pos.error(foreachEntry?.value, 'duplicate-element', `\`foreach\` of stage "${draft.base}" lists ${elementKey} twice`, 'each element makes one stage; list it once'));
        continue;
      }
      seenElements.add(elementKey);
      const scope: Record<string, JsonValue> = element === undefined ? { ...vars } : { ...vars, key: element.key, item: element.item };
      const name = element === undefined ? draft.base : `${draft.base}@${element.name}`;
      const missing = new Set<string>();
      const get = (key: string): JsonValue | undefined => {
        const e = draft.fields.get(key);
        if (!e) return undefined;
        const r = toJson(e.value, pos);
        if ('error' in r) {
          errors.push(r.error);
          return undefined;
        }
        return substitute(r.value, scope, missing);
      };
      const uses = get('uses');
      const usesEntry = draft.fields.get('uses');
      if (usesEntry && typeof uses !== 'string') errors.push(pos.error(usesEntry.value, 'bad-type', '`uses` must be the name of a stage implementation'));
      else if (typeof uses === 'string' && !known.includes(uses)) {
        errors.push(pos.error(usesEntry?.value, 'unknown-uses', `no stage implementation named "${uses}"`, didYouMean(uses, known)));
      }

      const stringList = (key: string): { name: string; node: YamlNode }[] => {
        const e = draft.fields.get(key);
        if (!e) return [];
        const items = seqItems(e.value);
        if (!items) {
          errors.push(pos.error(e.value, 'bad-type', `\`${key}\` must be a list of strings`));
          return [];
        }
        const out: { name: string; node: YamlNode }[] = [];
        for (const node of items) {
          const r = toJson(node, pos);
          const v = 'value' in r ? substitute(r.value, scope, missing) : null;
          if (typeof v !== 'string') errors.push(pos.error(node, 'bad-type', `each entry of \`${key}\` must be a string`));
          else out.push({ name: v, node });
        }
        return out;
      };
      const needNodes = stringList('needs');
      const depNodes = stringList('deps').map((d) => ({ path: d.name, node: d.node }));

      // params: shared blocks in order, then the stage's own
      const params: Params = {};
      const sharedUse = draft.fields.get('shared');
      if (sharedUse) {
        const items = seqItems(sharedUse.value);
        if (!items) errors.push(pos.error(sharedUse.value, 'bad-type', '`shared` must be a list of block names'));
        for (const node of items ?? []) {
          const r = toJson(node, pos);
          const blockName = 'value' in r ? r.value : null;
          const block = typeof blockName === 'string' ? shared.get(blockName) : undefined;
          if (!block) errors.push(pos.error(node, 'unknown-shared', `no shared parameter block named ${JSON.stringify(blockName)}`, didYouMean(String(blockName), shared.keys())));
          else Object.assign(params, substitute(block.params, scope, missing));
        }
      }
      const own = get('params');
      const paramsEntry = draft.fields.get('params');
      if (own !== undefined && (own === null || typeof own !== 'object' || Array.isArray(own))) errors.push(pos.error(paramsEntry?.value, 'bad-type', '`params` must be a mapping'));
      else if (own) Object.assign(params, own);

      for (const name of missing) {
        errors.push(pos.error(draft.entry.keyNode, 'unknown-var', `\${${name}} is not defined`, name === 'item' || name === 'key' || name.startsWith('item.') ? `\${${name}} only exists in stages with \`foreach\` (\${key} and \${item.…} with a mapping)` : `define it under \`vars:\`; known: ${Object.keys(vars).join(', ') || '(none)'}`));
      }
      const spec: StageSpec = {
        name,
        base: draft.base,
        ...(element === undefined ? {} : { element: element.key }),
        uses: typeof uses === 'string' ? uses : '',
        needs: [],
        deps: depNodes.map((d) => d.path),
        depLocations: depNodes.map((d) => pos.of(d.node)),
        params,
        location: pos.of(draft.entry.keyNode),
      };
      instances.push({ spec, draft, needNodes, depNodes, paramsNode: paramsEntry?.value ?? null });
      names.push(name);
    }
    byBase.set(draft.base, names);
  }

  // needs: an instance name, or a base name meaning all of its instances
  const instanceNames = new Set(instances.map((i) => i.spec.name));
  for (const inst of instances) {
    for (const need of inst.needNodes) {
      if (instanceNames.has(need.name)) inst.spec.needs.push(need.name);
      else if (byBase.has(need.name)) inst.spec.needs.push(...(byBase.get(need.name) as string[]));
      else errors.push(pos.error(need.node, 'unknown-stage', `stage "${inst.spec.name}" needs "${need.name}", which is not defined`, didYouMean(need.name, [...instanceNames, ...byBase.keys()])));
    }
  }
  if (options.checkDeps !== false) errors.push(...missingDeps(options.root, instances.map((i) => i.spec)));

  // params against the implementation's declared types, defaults filled in
  for (const inst of instances) {
    if (!inst.spec.uses) continue;
    const definition = await options.resolveStage(inst.spec.uses, plugins);
    if (!definition) continue;
    const paramEntries = new Map((mapEntries(inst.paramsNode) ?? []).map((e) => [e.key, e]));
    const checked = checkParams(inst.spec.params, definition.params, (key, part) => {
      const e = paramEntries.get(key);
      if (!e) return inst.spec.location;
      return pos.of(part === 'key' ? e.keyNode : (e.value ?? e.keyNode));
    }, inst.spec.name);
    errors.push(...checked.errors);
    inst.spec.params = checked.params;
  }

  const stages = instances.map((i) => i.spec);
  const cycle = findCycle(stages.map((s) => ({ name: s.name, needs: s.needs })));
  if (cycle) {
    const first = stages.find((s) => s.name === cycle[0]);
    errors.push({
      kind: 'cycle',
      message: `the stages form a cycle: ${cycle.join(' → ')}`,
      ...(first ? { location: first.location } : {}),
      hint: 'remove one of these `needs` so the stages can run in order',
    });
  }

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, spec: { file, profile: { name: profile.name, why: profile.why }, profileEvidence: evidence, vars, plugins, stages } };
}

function chooseProfile(
  entry: Entry | undefined,
  options: ParseOptions,
  pos: Positions,
  errors: GlioflowError[],
  evidence: { path: string; hasFiles: boolean }[],
): { name: string; why: string; vars: Record<string, JsonValue> } {
  const profiles = entry ? mapEntries(entry.value) : [];
  if (entry && !profiles) errors.push(pos.error(entry.value, 'bad-structure', '`profiles` must map profile names to { when_empty?, vars }'));
  const parsed: { name: string; whenEmpty?: string; vars: Record<string, JsonValue>; node: YamlNode }[] = [];
  for (const p of profiles ?? []) {
    const r = toJson(p.value, pos);
    if ('error' in r) {
      errors.push(r.error);
      continue;
    }
    const v = r.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      errors.push(pos.error(p.value, 'bad-structure', `profile "${p.key}" must be a mapping`));
      continue;
    }
    const when = v['when_empty'];
    const profileVars = v['vars'] ?? {};
    if (when !== undefined && typeof when !== 'string') errors.push(pos.error(p.value, 'bad-type', '`when_empty` must be a path'));
    // eslint-disable-next-line no-control-regex
    if (typeof when === 'string' && /[\u0000-\u001f]/.test(when)) {
      errors.push(pos.error(p.value, 'bad-value', `\`when_empty\` of profile "${p.key}" holds a control character`, 'write a plain relative path'));
      continue;
    }
    if (typeof profileVars !== 'object' || profileVars === null || Array.isArray(profileVars)) {
      errors.push(pos.error(p.value, 'bad-type', `\`vars\` of profile "${p.key}" must be a mapping`));
      continue;
    }
    parsed.push({ name: p.key, ...(typeof when === 'string' ? { whenEmpty: when } : {}), vars: profileVars, node: p.keyNode });
  }
  if (options.profile && options.profile !== 'default') {
    const found = parsed.find((p) => p.name === options.profile);
    if (!found) {
      errors.push({ kind: 'unknown-profile', message: `no profile named "${options.profile}"`, location: pos.of(entry?.keyNode), hint: didYouMean(options.profile, parsed.map((p) => p.name)) });
      return { name: 'default', why: 'requested profile missing', vars: {} };
    }
    return { name: found.name, why: 'chosen with --profile', vars: found.vars };
  }
  if (options.profile === 'default') return { name: 'default', why: 'chosen with --profile', vars: {} };
  for (const p of parsed) {
    if (p.whenEmpty === undefined) continue;
    const full = hasFiles(join(options.root, p.whenEmpty));
    evidence.push({ path: p.whenEmpty, hasFiles: full });
    if (!full) return { name: p.name, why: `${p.whenEmpty} holds no files`, vars: p.vars };
  }
  return { name: 'default', why: 'no profile applies', vars: {} };
}
