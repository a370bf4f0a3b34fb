// `npm start` is the README's first command: on a fresh clone (data/mri/raw empty) it must write
// the synthetic cohort and run the pipeline on it. This runs package.json's own start script, in a
// project whose pipeline.yaml keeps only the index stage of the demo profile (the whole demo takes
// minutes; the cohort and the first stage are what a fresh clone lacked).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, TestProject } from '../engine/helpers.js';

const PIPELINE = `vars:
  raw: data/mri/raw
profiles:
  demo:
    when_empty: data/mri/raw
    vars:
      raw: data/synthetic/mri
stages:
  index: { uses: index, deps: ["\${raw}"] }
`;

describe('npm start on a fresh clone', () => {
  it("runs package.json's start script: writes the synthetic cohort, then runs the demo profile on it", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const script = pkg.scripts['start'] ?? '';
    const [node, entry, ...args] = script.split(' ');
    expect(node).toBe('node');
    expect(entry).toBe('dist/cli.js');
    const p = new TestProject('glioflow-npm-start-');
    p.write('pipeline.yaml', PIPELINE);
    const r = spawnSync(process.execPath, [CLI, ...args, '--json'], { cwd: p.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(p.dir, 'data', 'synthetic', 'labels.csv'))).toBe(true);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { ok: boolean; stages: { name: string; status: string; items: { total: number } }[] };
    expect(summary.ok).toBe(true);
    // 24 patients × 7 series × 24 slices
    expect(summary.stages).toEqual([expect.objectContaining({ name: 'index', status: 'ran', items: expect.objectContaining({ total: 4032 }) })]);
    expect(r.stderr).toMatch(/running the demo on a synthetic TCGA-shaped cohort/);
  });
});

describe('start takes its paths from pipeline.yaml', () => {
  it('writes the demo cohort where the demo profile\'s vars put it, and names the when_empty path it found empty', () => {
    const p = new TestProject('glioflow-start-vars-');
    p.write('pipeline.yaml', `vars:
  raw: scans/raw
  labels: scans/labels.tsv
profiles:
  demo:
    when_empty: scans/raw
    vars:
      raw: demo-cohort/mri
      labels: demo-cohort/labels.csv
stages:
  index: { uses: index, deps: ["\${raw}"] }
  labels: { uses: labels, needs: [index], deps: ["\${labels}"] }
`);
    const r = spawnSync(process.execPath, [CLI, 'start', '--json'], { cwd: p.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/scans\/raw holds no DICOM files: running the demo on a synthetic TCGA-shaped cohort in demo-cohort/);
    expect(existsSync(join(p.dir, 'demo-cohort', 'labels.csv'))).toBe(true);
    expect(existsSync(join(p.dir, 'data'))).toBe(false);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { ok: boolean; stages: { name: string; status: string }[] };
    expect(summary.stages.map((s) => [s.name, s.status])).toEqual([['index', 'ran'], ['labels', 'ran']]);
  });
});

describe('the glioflow bin', () => {
  it.skipIf(process.platform === 'win32')('runs as a program, as npx and npm link run it (shebang and executable bit)', () => {
    const r = spawnSync(CLI, ['--version'], { encoding: 'utf8' });
    expect(r.error, 'dist/cli.js could not be executed directly').toBeUndefined();
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> };
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(pkg.bin['glioflow']).toBe('dist/cli.js');
  });
});
