// `glioflow explain PATH`
import { explainFile } from '../engine/maintenance/explain.js';
import { open, printErrors, type GlobalOptions } from './common.js';

export async function explainCommand(globals: GlobalOptions, path: string, flags: { json?: boolean }): Promise<number> {
  const project = await open(globals);
  if (!project) return 2;
  const result = await explainFile(project, path);
  if (!result.ok) {
    printErrors([result.error]);
    return 1;
  }
  const p = result.value;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
    return 0;
  }
  const lines = [`${p.file}: output "${p.output}" (${p.hash})${p.matches ? '' : ' — the file on disk differs from it; `glioflow run` restores it'}`];
  for (const step of p.chain) {
    lines.push('', `${step.stage} (uses ${step.uses}), key ${step.key}, finished ${step.finishedAt}`);
    lines.push(`  code ${step.code} (version ${step.version})`);
    lines.push(`  params ${JSON.stringify(step.params)}`);
    if (Object.keys(step.env).length > 0) lines.push(`  environment ${JSON.stringify(step.env)}`);
    if (Object.keys(step.record).length > 0) lines.push(`  decided ${JSON.stringify(step.record)}`);
    for (const d of step.deps) lines.push(`  reads ${d.path}: ${d.files} files, hash ${d.hash}`);
    for (const [up, outs] of Object.entries(step.upstream)) lines.push(`  reads ${up}: ${Object.entries(outs).map(([n, h]) => `${n}=${h}`).join(', ')}`);
    lines.push(`  wrote ${Object.entries(step.outputs).map(([n, h]) => `${n}=${h}`).join(', ')}`);
    lines.push(`  items ${step.items.total} (${step.items.ran} ran, ${step.items.cached} cached)`);
    lines.push(`  manifest ${step.manifest}`);
  }
  for (const u of p.unresolved) lines.push('', `upstream ${u}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
