// `glioflow verify`: exit 1 when any referenced object is missing or altered.
import { verifyCache } from '../engine/maintenance/verify.js';
import { open, type GlobalOptions } from './common.js';

export async function verifyCommand(globals: GlobalOptions, flags: { json?: boolean }): Promise<number> {
  const project = await open(globals);
  if (!project) return 2;
  const report = await verifyCache(project);
  if (flags.json) process.stdout.write(`${JSON.stringify({ ok: report.problems.length === 0, ...report }, null, 2)}\n`);
  else {
    for (const p of report.problems) process.stdout.write(`${p.problem}: object ${p.hash}\n${p.usedBy.map((u) => `  used by ${u}`).join('\n')}\n`);
    process.stdout.write(report.problems.length === 0 ? `ok: ${report.checked} objects verified\n` : `${report.problems.length} of ${report.checked} objects missing or altered\n`);
  }
  return report.problems.length === 0 ? 0 : 1;
}
