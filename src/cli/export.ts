// `glioflow export STAGE DIR`: a stage's current outputs, written for people (CSV) or tools (Arrow).
// Exports the cached result of the stage's current key; a stale stage must run first.
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { currentRecord, upstreamView } from '../engine/index.js';
import { open, printErrors, type GlobalOptions } from './common.js';

export async function exportCommand(globals: GlobalOptions, stageName: string, dir: string, flags: { format: 'csv' | 'arrow' }): Promise<number> {
  const project = await open(globals);
  if (!project) return 2;
  const stage = project.spec.stages.find((s) => s.name === stageName);
  if (!stage) {
    printErrors([{ kind: 'unknown-stage', message: `no stage named "${stageName}"`, hint: `stages: ${project.spec.stages.map((s) => s.name).join(', ')}` }]);
    return 2;
  }
  const record = await currentRecord(project, stageName);
  if (!record) {
    printErrors([{ kind: 'stale', message: `stage ${stageName} has no current result to export`, stage: stageName, hint: `run \`glioflow run ${stageName}\` first` }]);
    return 1;
  }
  const target = resolve(dir);
  await mkdir(target, { recursive: true });
  const impl = project.implementation(stage);
  const view = upstreamView(project, stage, record.key, record.outputs);
  let written: string[];
  if (impl.definition.export) {
    written = await impl.definition.export(view, target, flags.format);
  } else {
    written = [];
    for (const name of Object.keys(record.outputs)) {
      await copyFile(view.path(name), join(target, name));
      written.push(join(target, name));
    }
  }
  for (const file of written) process.stdout.write(`${file}\n`);
  return 0;
}
