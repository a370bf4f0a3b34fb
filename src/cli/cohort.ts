// The synthetic cohort on disk, generated once per set of options: a marker file records the
// options it was made with, so `npm start` reuses it and a changed option regenerates it.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { CohortOptions } from '../synth/index.js';

export interface CohortOnDisk {
  mriDir: string;
  labelsPath: string;
  patients: number;
  files: number;
}

export async function ensureCohort(dir: string, options: CohortOptions, say: (line: string) => void): Promise<CohortOnDisk> {
  const marker = join(dir, 'cohort.json');
  const wanted = JSON.stringify(options);
  if (existsSync(marker)) {
    const known = JSON.parse(readFileSync(marker, 'utf8')) as { options: string } & CohortOnDisk;
    if (known.options === wanted && existsSync(known.mriDir) && existsSync(known.labelsPath)) return known;
  }
  say(`writing a synthetic cohort: ${options.patients} patients, seed ${options.seed}, ${options.size ?? 64}px, into ${dir} …`);
  const t0 = Date.now();
  const { generateCohort } = await import('../synth/index.js');
  const summary = await generateCohort(dir, options, { workers: availableParallelism() });
  const onDisk: CohortOnDisk = { mriDir: summary.mriDir, labelsPath: summary.labelsPath, patients: summary.patientCount, files: summary.fileCount };
  await writeFile(marker, `${JSON.stringify({ options: wanted, ...onDisk }, null, 2)}\n`);
  const seconds = (Date.now() - t0) / 1000;
  say(`  ${summary.fileCount} DICOM files in ${summary.seriesCount} series (${seconds.toFixed(1)} s, ${Math.round(summary.fileCount / Math.max(seconds, 1e-3))} files/s on ${availableParallelism()} threads)`);
  return onDisk;
}
