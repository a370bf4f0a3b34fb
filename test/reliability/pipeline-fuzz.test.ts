// 200 seeded random mutations of a valid pipeline.yaml: each one either parses, or fails with
// errors that name the file and (every one of them) a line and column — never an exception.
// parsePipeline is driven directly for speed; a handful of the failing files then go through
// the CLI (`glioflow status`) to check that users see `file:line:col` and exit code 2, and no
// stack trace.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stages as benchStages } from '../../src/bench/engine-stages.js';
import { parsePipeline } from '../../src/engine/config/parse-pipeline.js';
import { formatError, type GlioflowError } from '../../src/engine/result.js';
import { PLUGIN, rng, TestProject } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'glioflow-fuzz-'));
mkdirSync(join(root, 'input', 'f0'), { recursive: true });
writeFileSync(join(root, 'input', 'f0', '0.txt'), '1\n');
const FILE = join(root, 'pipeline.yaml');

const VALID = `# a valid pipeline: every feature the parser has
vars:
  factor: 2
  title: totals
profiles:
  demo:
    when_empty: data/raw
    vars:
      factor: 3
shared:
  scale:
    offset: 1
plugins:
  - ${JSON.stringify(PLUGIN)}
stages:
  digest:
    uses: folder-digest
    deps: [input]
    params:
      delay_ms: 0
      salt: ""
  double:
    uses: folder-transform
    needs: [digest]
    params:
      factor: "\${factor}"
  shift:
    uses: folder-transform
    needs: [double]
    shared: [scale]
  summary:
    foreach: [a, b]
    uses: folder-summary
    needs: [shift]
    description: totals per element
    params:
      to: "experiments/\${item}.json"
      title: "\${title} \${item}"
`;

const byName = new Map(benchStages.map((s) => [s.name, s]));

async function parse(text: string): Promise<{ ok: true } | { ok: false; errors: GlioflowError[] }> {
  const r = await parsePipeline(FILE, text, {
    root,
    knownStages: async () => [...byName.keys()],
    resolveStage: async (uses) => byName.get(uses),
  });
  return r.ok ? { ok: true } : { ok: false, errors: r.errors };
}

// --- mutations -------------------------------------------------------------------------------

type Rand = () => number;
const pick = <T,>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const lineIndex = (r: Rand, lines: string[]): number => Math.floor(r() * lines.length);

const OTHER_VALUES = ['42', '-1', '1.5', '1e400', '.nan', 'true', 'null', '~', '""', '[]', '[1, [2, x]]', '{}', '{ a: { b: 1 } }', '2024-01-01', '!!binary aGVsbG8=', '*nowhere', '&anchor 3', '|\n      block', "'quoted'", ''];
const NOISE = [':', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '#', '-', '?', '\t', ' ', 'x', 'é', '☃', '\\', '${', '\n', '\r'];

interface Mutation {
  name: string;
  apply(lines: string[], r: Rand): string[];
}

const MUTATIONS: Mutation[] = [
  { name: 'delete a line', apply: (ls, r) => ls.filter((_, i) => i !== lineIndex(r, ls)) },
  {
    name: 'duplicate a line',
    apply: (ls, r) => {
      const i = lineIndex(r, ls);
      return [...ls.slice(0, i + 1), ls[i] as string, ...ls.slice(i + 1)];
    },
  },
  {
    name: 'swap two lines',
    apply: (ls, r) => {
      const out = [...ls];
      const i = lineIndex(r, ls);
      const j = r() < 0.5 ? Math.min(ls.length - 1, i + 1) : lineIndex(r, ls);
      [out[i], out[j]] = [out[j] as string, out[i] as string];
      return out;
    },
  },
  {
    name: 'change indentation',
    apply: (ls, r) => {
      const out = [...ls];
      const i = lineIndex(r, ls);
      const line = out[i] as string;
      const d = pick(r, [-4, -2, -1, 1, 2, 3, 'tab'] as const);
      out[i] = d === 'tab' ? `\t${line.trimStart()}` : d > 0 ? `${' '.repeat(d)}${line}` : line.replace(new RegExp(`^ {0,${-d}}`), '');
      return out;
    },
  },
  {
    name: 'insert random characters',
    apply: (ls, r) => {
      const out = [...ls];
      const i = lineIndex(r, ls);
      const line = out[i] as string;
      const at = Math.floor(r() * (line.length + 1));
      const noise = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, NOISE)).join('');
      out[i] = `${line.slice(0, at)}${noise}${line.slice(at)}`;
      return out;
    },
  },
  {
    name: 'replace a value with another type',
    apply: (ls, r) => {
      const withValue = ls.map((l, i) => ({ l, i })).filter(({ l }) => /:\s+\S/.test(l) || /^\s*- /.test(l));
      if (withValue.length === 0) return ls;
      const { l, i } = pick(r, withValue);
      const out = [...ls];
      const value = pick(r, OTHER_VALUES);
      out[i] = /:\s+\S/.test(l) ? l.replace(/:\s+.*$/, value === '' ? ':' : `: ${value}`) : l.replace(/- .*$/, `- ${value}`);
      return out;
    },
  },
  {
    name: 'rename a key',
    apply: (ls, r) => {
      const keyed = ls.map((l, i) => ({ l, i })).filter(({ l }) => /^\s*[\w$]+:/.test(l));
      const { l, i } = pick(r, keyed);
      const out = [...ls];
      out[i] = l.replace(/^(\s*)([\w$]+):/, (_m, sp: string, key: string) => `${sp}${pick(r, [`${key}s`, key.slice(1), `${key[0]?.toUpperCase()}${key.slice(1)}`, `x${key}`, key.split('').reverse().join('')])}:`);
      return out;
    },
  },
  {
    name: 'add an unknown key',
    apply: (ls, r) => {
      const i = lineIndex(r, ls);
      const indent = (/^\s*/.exec(ls[i] as string)?.[0] ?? '').replace(/\t/g, '  ');
      return [...ls.slice(0, i + 1), `${indent}${pick(r, ['bogus', 'retries', 'timeout', 'uses2', 'nedds'])}: ${pick(r, OTHER_VALUES.slice(0, 8))}`, ...ls.slice(i + 1)];
    },
  },
  { name: 'make a cycle', apply: (ls) => ls.map((l) => (l === '    deps: [input]' ? '    deps: [input]\n    needs: [summary]' : l)).join('\n').split('\n') },
  { name: 'make a two-stage cycle', apply: (ls) => ls.map((l) => (l === '    needs: [digest]' ? '    needs: [digest, shift]' : l)) },
  { name: 'point a dep nowhere', apply: (ls, r) => ls.map((l) => (l === '    deps: [input]' ? `    deps: [${pick(r, ['nowhere/raw', 'input, missing', '"", input', '../../etc'])}]` : l)) },
  { name: 'need a missing stage', apply: (ls, r) => ls.map((l) => (l === '    needs: [double]' ? `    needs: [${pick(r, ['dubble', 'summary@c', 'digest@a', '""'])}]` : l)) },
  { name: 'break foreach', apply: (ls, r) => ls.map((l) => (l === '    foreach: [a, b]' ? `    foreach: ${pick(r, ['[]', '3', '{ a: 1 }', '[a, a]', '"${nope}"', '[[1], {b: 2}]', ''])}` : l)) },
  { name: 'use an undefined var', apply: (ls, r) => ls.map((l) => l.replace('${factor}', pick(r, ['${nope}', '${item}', '${factor.x}', '${}']))) },
  { name: 'bad param value', apply: (ls, r) => ls.map((l) => (l === '      delay_ms: 0' ? `      delay_ms: ${pick(r, ['-1', '1.5', '"x"', '[0]', '{}', '1e400', 'null'])}` : l)) },
  { name: 'unknown uses', apply: (ls, r) => ls.map((l) => (l === '    uses: folder-summary' ? `    uses: ${pick(r, ['folder-sumary', 'index', '42', '[a]', ''])}` : l)) },
  { name: 'bad stage name', apply: (ls, r) => ls.map((l) => (l === '  shift:' ? `  ${pick(r, ['1shift', 'shi ft', '"sh@ift"', '-shift', 'shift:'])}:` : l)) },
];

function mutate(seed: number): { text: string; steps: string[] } {
  const r = rng(seed);
  let lines = VALID.split('\n');
  const steps: string[] = [];
  const count = 1 + Math.floor(r() * 3);
  for (let k = 0; k < count; k++) {
    const m = pick(r, MUTATIONS);
    lines = m.apply(lines, r);
    steps.push(m.name);
  }
  return { text: lines.join('\n'), steps };
}

const SAMPLES = 200;

describe('pipeline.yaml under random mutation', () => {
  it('the unmutated file is valid (so every failure below is caused by a mutation)', async () => {
    expect(await parse(VALID)).toEqual({ ok: true });
  });

  const failures: { seed: number; text: string; errors: GlioflowError[] }[] = [];

  it(`${SAMPLES} mutations each parse, or fail with positioned errors and no exception`, async () => {
    const problems: string[] = [];
    let parsed = 0;
    const kinds = new Map<string, number>();
    for (let i = 0; i < SAMPLES; i++) {
      const seed = 1000 + i;
      const { text, steps } = mutate(seed);
      let r: Awaited<ReturnType<typeof parse>>;
      try {
        r = await parse(text);
      } catch (error) {
        problems.push(`seed ${seed} (${steps.join(', ')}): parsePipeline threw ${String((error as Error).stack ?? error)}`);
        continue;
      }
      if (r.ok) {
        parsed++;
        continue;
      }
      if (r.errors.length === 0) problems.push(`seed ${seed} (${steps.join(', ')}): failed without any error`);
      for (const e of r.errors) {
        kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
        if (e.location?.file !== FILE) problems.push(`seed ${seed} (${steps.join(', ')}): ${e.kind} names no file: ${formatError(e)}`);
        else if (e.location.line === undefined || e.location.column === undefined) {
          problems.push(`seed ${seed} (${steps.join(', ')}): ${e.kind} has no line/column: ${formatError(e)}`);
        } else {
          expect(e.location.line).toBeGreaterThanOrEqual(1);
          expect(e.location.line).toBeLessThanOrEqual(text.split(/\r?\n|\r/).length + 1);
          expect(formatError(e).startsWith(`${FILE}:${e.location.line}:${e.location.column}: `)).toBe(true);
        }
        if (typeof e.message !== 'string' || e.message.length === 0 || /\n\s+at /.test(e.message)) problems.push(`seed ${seed}: ${e.kind} message is empty or holds a stack trace`);
      }
      failures.push({ seed, text, errors: r.errors });
    }
    // the mutations must really exercise the validator, not mostly produce valid files
    expect(failures.length).toBeGreaterThan(SAMPLES / 2);
    expect(parsed).toBeGreaterThan(0);
    for (const kind of ['yaml-syntax', 'unknown-key', 'cycle', 'missing-dep', 'unknown-stage', 'param-type', 'unknown-uses']) expect(kinds.get(kind) ?? 0, `no mutation produced a ${kind} error`).toBeGreaterThan(0);
    expect(problems, problems.join('\n\n')).toEqual([]);
  });

  it('through the CLI: `glioflow status` on broken files exits 2 with file:line:col and no stack trace', () => {
    const p = new TestProject('glioflow-fuzz-cli-');
    p.makeInputs(1, 1);
    // a handful of different error kinds from the failures above (positioned ones)
    const chosen: typeof failures = [];
    const seenKinds = new Set<string>();
    for (const f of failures) {
      const first = f.errors[0] as GlioflowError;
      if (first.location?.line === undefined || seenKinds.has(first.kind)) continue;
      seenKinds.add(first.kind);
      chosen.push(f);
      if (chosen.length === 6) break;
    }
    expect(chosen.length).toBeGreaterThanOrEqual(4);
    for (const f of chosen) {
      p.write('pipeline.yaml', f.text);
      const r = p.cli(['status']);
      const where = `seed ${f.seed}, stderr:\n${r.stderr}`;
      expect(r.code, where).toBe(2);
      expect(r.stderr, where).not.toMatch(/^\s+at /m);
      expect(r.stderr, where).toMatch(/pipeline\.yaml:\d+:\d+: /);
      expect(r.stdout, where).toBe('');
    }
    p.write('pipeline.yaml', VALID);
    expect(p.cli(['status']).code).toBe(0);
  });

  // Regression tests: a NUL byte in a path once made parsePipeline throw (statSync), and an empty
  // file once gave an error without a line.
  it('a NUL byte in when_empty is a positioned error, not an exception', async () => {
    const text = VALID.replace('when_empty: data/raw', 'when_empty: "data/\\0raw"');
    expect(text).toContain('\\0raw');
    let r: Awaited<ReturnType<typeof parse>> | undefined;
    let thrown: unknown;
    try {
      r = await parse(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'parsePipeline threw').toBeUndefined();
    if (r && !r.ok) for (const e of r.errors) expect(e.location?.line, formatError(e)).toBeDefined();
    const p = new TestProject('glioflow-fuzz-nul-');
    p.makeInputs(1, 1);
    p.write('pipeline.yaml', text);
    const cli = p.cli(['status']);
    expect(cli.stderr).not.toMatch(/^\s+at /m);
    expect(cli.code).toBe(2);
  });

  it('an empty or comment-only file names line 1', async () => {
    for (const text of ['', '# nothing here yet\n']) {
      const r = await parse(text);
      expect(r.ok).toBe(false);
      if (!r.ok) for (const e of r.errors) expect(e.location?.line, `${JSON.stringify(text)}: ${formatError(e)}`).toBeDefined();
    }
  });
});
