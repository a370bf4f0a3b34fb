// `glioflow start` (= `npm start`): the whole pipeline with the profile pipeline.yaml chooses. When that is
// the `demo` profile (its `when_empty` path holds no files, or --profile demo), the synthetic cohort is
// written first where the profile's vars put it: `raw` = DIR/mri (and `labels`, if used, DIR/labels.csv),
// as `glioflow synth DIR` writes them. Nothing here knows the paths: pipeline.yaml does.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Project } from '../engine/project.js';
import type { GlioflowError } from '../engine/result.js';
import { open, printErrors, type GlobalOptions } from './common.js';
import { ensureCohort } from './cohort.js';
import { runOpenedProject } from './run.js';

/** The demo cohort's options; where it goes comes from the demo profile's vars. */
export const DEMO_COHORT = { patients: 24, seed: 0, size: 64 } as const;
export const DEMO_PROFILE = 'demo';

/** DIR of the demo cohort, from the `raw` and `labels` vars, or why they do not describe one. */
export function demoCohortDir(project: Project): { dir: string } | { error: GlioflowError } {
  const { raw, labels } = project.spec.vars;
  const dir = typeof raw === 'string' ? dirname(raw) : '';
  const labelsFit = labels === undefined || (typeof labels === 'string' && join(labels) === join(dir, 'labels.csv'));
  if (typeof raw !== 'string' || basename(raw) !== 'mri' || !labelsFit) {
    return {
      error: {
        kind: 'demo-vars',
        message: `the ${DEMO_PROFILE} profile needs vars raw = DIR/mri and labels = DIR/labels.csv (where \`glioflow synth DIR\` writes), not raw = ${JSON.stringify(raw ?? null)}, labels = ${JSON.stringify(labels ?? null)}`,
        location: { file: project.spec.file },
        hint: `set them under profiles.${DEMO_PROFILE}.vars`,
      },
    };
  }
  return { dir };
}

export async function startCommand(globals: GlobalOptions, flags: { ui?: boolean; json?: boolean }): Promise<number> {
  const say = (line: string): void => void (flags.json ? process.stderr : process.stdout).write(`${line}\n`);
  const project = await open(globals);
  if (!project) return 2;
  const { profile } = project.spec;
  if (profile.name === DEMO_PROFILE) {
    const cohort = demoCohortDir(project);
    if ('error' in cohort) {
      printErrors([cohort.error]);
      return 2;
    }
    const empty = project.spec.profileEvidence.find((e) => !e.hasFiles);
    say(`${empty && !globals.profile ? `${empty.path} holds no DICOM files: running` : 'running'} the demo on a synthetic TCGA-shaped cohort in ${cohort.dir}.`);
    if (empty && !globals.profile) say(`(put TCGA-GBM MRI from TCIA in ${empty.path}/<PatientID>/… to run on real data)`);
    await ensureCohort(resolve(project.root, cohort.dir), { ...DEMO_COHORT, noiseLabel: null }, say);
  } else {
    const raw = project.spec.vars['raw'];
    say(`${profile.name} profile (${profile.why})${typeof raw === 'string' ? `: the DICOM files in ${raw}` : ''}`);
  }
  const code = await runOpenedProject(project, [], { ui: flags.ui !== false, json: flags.json === true });
  if (code === 0 && existsSync(resolve(project.root, 'experiments/report.html'))) {
    say('results: experiments/report.html (plots in experiments/<Model>/plots); `npx glioflow show` prints the table');
  }
  return code;
}
