// `glioflow run cluster` on a project with MRI and no labels file: only the selected stages (and what they need) are
// checked and run, and a run that trains nothing loads nothing of tfjs (no "install our node backend" banner).
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCohort } from '../../src/synth/index.js';
import { CLI, TestProject } from '../engine/helpers.js';

const PIPELINE = fileURLToPath(new URL('../../pipeline.yaml', import.meta.url));

// Logs every module the CLI's main thread resolves (item workers only load item modules).
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.GLIOFLOW_MODULE_LOG, r.url + '\\n');
  return r;
}`;

describe('run cluster without a labels file', () => {
  const p = new TestProject('glioflow-run-selected-');
  const log = join(p.dir, 'modules.log');
  // `node --import hooks.mjs dist/cli.js …` (not NODE_OPTIONS, which Node's own hooks thread would take up again)
  const cliWithHooks = (args: string[]): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, ['--import', join(p.dir, 'hooks.mjs'), CLI, ...args], { cwd: p.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GLIOFLOW_MODULE_LOG: log } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    await generateCohort(join(p.dir, 'cohort'), { patients: 3, seed: 1, size: 16, slicesPerSeries: 4 });
    cpSync(join(p.dir, 'cohort', 'mri'), join(p.dir, 'data', 'mri', 'raw'), { recursive: true });
    copyFileSync(PIPELINE, join(p.dir, 'pipeline.yaml'));
    writeFileSync(join(p.dir, 'hooks.mjs'), `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));\n`);
    appendFileSync(log, '');
  });

  it('exits 0, runs index, ratios and cluster, and loads no tfjs module', () => {
    expect(existsSync(join(p.dir, 'data', 'labels.tsv'))).toBe(false);
    const r = cliWithHooks(['run', 'cluster', '--no-ui']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cluster: done/);
    expect(r.stderr).not.toMatch(/TensorFlow\.js|tfjs-node/);
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(loaded.some((url) => url.endsWith('/stages/ingest/cluster-stage.js'))).toBe(true); // the hook saw the run
    expect(loaded.filter((url) => /\/node_modules\/@tensorflow\//.test(url))).toEqual([]);
  });

  it('`status cluster` is clean; a run or status of the labels stage names the missing file where pipeline.yaml lists it', () => {
    expect(p.cli(['status', 'cluster']).code).toBe(0);
    const line = readFileSync(join(p.dir, 'pipeline.yaml'), 'utf8').split('\n').findIndex((l) => l.includes('deps: ["${labels}"]')) + 1;
    for (const args of [['run', '--no-ui'], ['run', 'labels', '--no-ui'], ['status']]) {
      const r = p.cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`pipeline\\.yaml:${line}:\\d+: dep "data/labels\\.tsv" of stage "labels" does not exist`));
    }
  });
});
