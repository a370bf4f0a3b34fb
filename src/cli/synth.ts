// `glioflow synth DIR`: a synthetic TCGA-shaped cohort (see src/synth/README.md).
import { resolve } from 'node:path';
import { printErrors } from './common.js';
import { ensureCohort } from './cohort.js';

const LABELS = ['TP53', 'PTEN', 'EGFR', 'IDH'] as const;

export async function synthCommand(dir: string, flags: { patients: number; seed: number; size: number; noiseLabel?: string }): Promise<number> {
  const noise = flags.noiseLabel?.toUpperCase();
  if (noise !== undefined && !(LABELS as readonly string[]).includes(noise)) {
    printErrors([{ kind: 'usage', message: `--noise-label must be one of ${LABELS.join(', ')}, not ${flags.noiseLabel}` }]);
    return 2;
  }
  for (const [name, v] of [['--patients', flags.patients], ['--size', flags.size], ['--seed', flags.seed]] as const) {
    if (!Number.isInteger(v) || v < (name === '--seed' ? 0 : 1)) {
      printErrors([{ kind: 'usage', message: `${name} must be a whole number, not ${v}` }]);
      return 2;
    }
  }
  const summary = await ensureCohort(resolve(dir), { patients: flags.patients, seed: flags.seed, size: flags.size, noiseLabel: (noise as (typeof LABELS)[number] | undefined) ?? null }, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`MRI in ${summary.mriDir}, labels in ${summary.labelsPath}\n`);
  return 0;
}
