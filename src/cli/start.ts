// `glioflow start` (= `npm start`): the whole pipeline on data/mri/raw, or — when that holds no
// files — on a synthetic cohort generated into data/synthetic with the `demo` profile.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { hasFiles } from '../engine/config/has-files.js';
import { open, type GlobalOptions } from './common.js';
import { ensureCohort } from './cohort.js';
import { runOpenedProject } from './run.js';

/** The demo cohort; pipeline.yaml's `demo` profile points its vars at these paths. */
export const DEMO_COHORT = { dir: 'data/synthetic', patients: 24, seed: 0, size: 64 } as const;
const RAW = 'data/mri/raw';

export async function startCommand(globals: GlobalOptions, flags: { ui?: boolean; json?: boolean }): Promise<number> {
  const root = resolve(globals.cwd);
  const say = (line: string): void => void (flags.json ? process.stderr : process.stdout).write(`${line}\n`);
  let profile = globals.profile;
  if (!profile) {
    if (hasFiles(resolve(root, RAW))) {
      say(`using the DICOM files in ${RAW}`);
      profile = 'default';
    } else {
      say(`${RAW} holds no DICOM files: running the demo on a synthetic TCGA-shaped cohort in ${DEMO_COHORT.dir}.`);
      say(`(put TCGA-GBM MRI from TCIA in ${RAW}/<PatientID>/… to run on real data)`);
      await ensureCohort(resolve(root, DEMO_COHORT.dir), { patients: DEMO_COHORT.patients, seed: DEMO_COHORT.seed, size: DEMO_COHORT.size, noiseLabel: null }, say);
      profile = 'demo';
    }
  }
  const project = await open({ ...globals, profile });
  if (!project) return 2;
  const code = await runOpenedProject(project, [], { ui: flags.ui !== false, json: flags.json === true });
  if (code === 0 && existsSync(resolve(root, 'experiments/report.html'))) {
    say('results: experiments/report.html (plots in experiments/<Model>/plots); `npx glioflow show` prints the table');
  }
  return code;
}
