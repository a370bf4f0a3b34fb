// `glioflow verify`: exit 1 when any referenced object is missing or altered, or a record no longer parses.
import { relative } from 'node:path';
import { verifyCache } from '../engine/maintenance/verify.js';
import { open, type GlobalOptions } from './common.js';

export async function verifyCommand(globals: GlobalOptions, flags: { json?: boolean }): Promise<number> {
  const project = await open(globals);
  if (!project) return 2;
  const report = await verifyCache(project);
  const ok = report.problems.length === 0 && report.unreadable.length === 0;
  if (flags.json) process.stdout.write(`${JSON.stringify({ ok, ...report }, null, 2)}\n`);
  else {
    for (const p of report.problems) {
      const loc = p.location;
      const where = p.kind === 'object' ? relative(process.cwd(), project.store.path(p.hash)) : loc ? `${relative(process.cwd(), loc.file)}, bytes ${loc.offset}–${loc.offset + loc.length}: ${p.why ?? 'altered'}` : relative(process.cwd(), project.layout.items);
      process.stdout.write(`${p.problem}: ${p.kind === 'object' ? 'object' : 'item result'} ${p.hash} (${where})\n${p.usedBy.map((u) => `  used by ${u}`).join('\n')}\n`);
    }
    for (const f of report.unreadable) process.stdout.write(`unreadable: ${f} (cannot be read or parsed)\n`);
    if (ok) process.stdout.write(`ok: ${report.checked} objects and ${report.checkedItems} item results verified\n`);
    else {
      const parts = [report.problems.length > 0 ? `${report.problems.length} missing or altered (checked ${report.checked} objects and ${report.checkedItems} item results)` : '', report.unreadable.length > 0 ? `${report.unreadable.length} unreadable files` : ''].filter(Boolean);
      // an altered object must go first: the store never overwrites an object that exists (an
      // altered item result is recomputed and replaced by the next run that needs it)
      process.stdout.write(`${parts.join('; ')}\n  hint: delete the altered and the unreadable files; \`glioflow run\` then recomputes what is missing\n`);
    }
  }
  return ok ? 0 : 1;
}
