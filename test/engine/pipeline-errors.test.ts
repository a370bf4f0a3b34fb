// Every kind of malformed pipeline.yaml gives an error that names the file, line and column.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePipeline } from '../../src/engine/config/parse-pipeline.js';
import { defineStage, type GlioflowError, type StageDefinition } from '../../src/engine/index.js';

const root = mkdtempSync(join(tmpdir(), 'glioflow-yaml-'));
mkdirSync(join(root, 'data'));

const impls: Record<string, StageDefinition> = {
  load: defineStage({ name: 'load', description: 'test', version: 1, params: { size: { type: 'integer', default: 224, min: 8, description: 'image size' }, mode: { type: 'string', default: 'a', enum: ['a', 'b'], description: 'mode' } }, run: async () => undefined }),
  train: defineStage({ name: 'train', description: 'test', version: 1, params: { model: { type: 'string', default: 'x', description: 'model' }, lr: { type: 'number', default: 0.1, description: 'learning rate' } }, run: async () => undefined }),
};

async function parse(text: string): Promise<{ ok: boolean; errors: GlioflowError[]; stages: string[] }> {
  const r = await parsePipeline(join(root, 'pipeline.yaml'), text, {
    root,
    knownStages: async () => Object.keys(impls),
    resolveStage: async (uses) => impls[uses],
  });
  return r.ok ? { ok: true, errors: [], stages: r.spec.stages.map((s) => s.name) } : { ok: false, errors: r.errors, stages: [] };
}

async function firstError(text: string): Promise<GlioflowError> {
  const r = await parse(text);
  expect(r.ok).toBe(false);
  const e = r.errors[0] as GlioflowError;
  expect(e.location?.file).toBe(join(root, 'pipeline.yaml'));
  return e;
}

describe('pipeline.yaml validation', () => {
  it('accepts a valid file and expands foreach with ${item}', async () => {
    const r = await parse(`vars:\n  size: 64\nshared:\n  opt: { lr: 0.5 }\nstages:\n  load:\n    uses: load\n    deps: [data]\n    params: { size: "\${size}" }\n  train:\n    foreach: [A, B]\n    uses: train\n    needs: [load]\n    shared: [opt]\n    params: { model: "\${item}" }\n  eval:\n    foreach: [A, B]\n    uses: train\n    needs: ["train@\${item}"]\n`);
    expect(r.errors).toEqual([]);
    expect(r.stages).toEqual(['load', 'train@A', 'train@B', 'eval@A', 'eval@B']);
  });

  it('names line and column of a YAML syntax error', async () => {
    const e = await firstError('stages:\n  load:\n    uses: [load\n');
    expect(e.kind).toBe('yaml-syntax');
    expect(e.location?.line).toBeGreaterThanOrEqual(3);
  });

  it('points at an unknown `uses` and suggests the closest name', async () => {
    const e = await firstError('stages:\n  load:\n    uses: lod\n');
    expect(e).toMatchObject({ kind: 'unknown-uses', location: { line: 3, column: 11 } });
    expect(e.hint).toContain('"load"');
  });

  it('points at an unknown stage in needs', async () => {
    const e = await firstError('stages:\n  load:\n    uses: load\n  train:\n    uses: train\n    needs: [lood]\n');
    expect(e).toMatchObject({ kind: 'unknown-stage', location: { line: 6, column: 13 } });
    expect(e.hint).toContain('"load"');
  });

  it('prints a cycle', async () => {
    const e = await firstError('stages:\n  a:\n    uses: load\n    needs: [c]\n  b:\n    uses: load\n    needs: [a]\n  c:\n    uses: load\n    needs: [b]\n');
    expect(e.kind).toBe('cycle');
    expect(e.message).toContain('a → c → b → a');
    expect(e.location?.line).toBe(2);
  });

  it('points at a missing dep', async () => {
    const e = await firstError('stages:\n  load:\n    uses: load\n    deps: [data, nowhere/raw]\n');
    expect(e).toMatchObject({ kind: 'missing-dep', location: { line: 4, column: 18 } });
    expect(e.message).toContain('nowhere/raw');
  });

  it('points at a param of the wrong type, out of range or not allowed', async () => {
    expect(await firstError('stages:\n  load:\n    uses: load\n    params:\n      size: "big"\n')).toMatchObject({ kind: 'param-type', location: { line: 5, column: 13 } });
    expect(await firstError('stages:\n  load:\n    uses: load\n    params:\n      size: 2\n')).toMatchObject({ kind: 'param-value', location: { line: 5 } });
    expect(await firstError('stages:\n  load:\n    uses: load\n    params:\n      mode: c\n')).toMatchObject({ kind: 'param-value', hint: 'one of: a, b' });
    expect(await firstError('stages:\n  load:\n    uses: load\n    params:\n      sise: 3\n')).toMatchObject({ kind: 'unknown-param', location: { line: 5, column: 7 } });
  });

  it('points at unknown keys, undefined vars and unknown shared blocks', async () => {
    expect(await firstError('stagez:\n  a: {}\n')).toMatchObject({ kind: 'unknown-key', location: { line: 1, column: 1 } });
    expect(await firstError('stages:\n  load:\n    uses: load\n    nedds: [x]\n')).toMatchObject({ kind: 'unknown-key', location: { line: 4, column: 5 } });
    expect((await firstError('stages:\n  load:\n    uses: load\n    params: { mode: "${nope}" }\n')).kind).toBe('unknown-var');
    expect((await firstError('stages:\n  load:\n    uses: load\n    shared: [nope]\n')).kind).toBe('unknown-shared');
  });

  it('reports a stage without uses, and a file that is not a mapping', async () => {
    expect(await firstError('stages:\n  load:\n    deps: [data]\n')).toMatchObject({ kind: 'missing-uses', location: { line: 2 } });
    expect((await firstError('- just\n- a list\n')).kind).toBe('bad-structure');
  });
});

describe('foreach over a mapping', () => {
  it('names instances by key and gives ${key} and ${item.…}', async () => {
    const r = await parsePipeline(join(root, 'pipeline.yaml'), 'vars:\n  models:\n    A: { lr: 0.5 }\n    B: { lr: 0.25 }\nstages:\n  train:\n    foreach: "${models}"\n    uses: train\n    params: { model: "${key}", lr: "${item.lr}" }\n', {
      root,
      knownStages: async () => Object.keys(impls),
      resolveStage: async (uses) => impls[uses],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.stages.map((s) => [s.name, s.element, s.params['model'], s.params['lr']])).toEqual([
      ['train@A', 'A', 'A', 0.5],
      ['train@B', 'B', 'B', 0.25],
    ]);
  });
});
