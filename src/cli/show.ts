// `glioflow show [--json]`: the cross-model results table, from the current evaluate stages.
import { pipelineStatus } from '../engine/index.js';
import { readKeyRecord } from '../engine/store/records.js';
import type { GlioflowError } from '../engine/result.js';
import { open, printErrors, type GlobalOptions } from './common.js';

export async function showCommand(globals: GlobalOptions, flags: { json?: boolean }): Promise<number> {
  const project = await open(globals);
  if (!project) return 2;
  const { checkModelResult, formatResultsTable } = await import('../report/index.js');
  const evaluations = project.spec.stages.filter((s) => s.uses === 'evaluate');
  const status = await pipelineStatus(project, evaluations.map((s) => s.name));
  const results = [];
  const stale: string[] = [];
  const invalid: GlioflowError[] = [];
  for (const s of status.filter((x) => x.uses === 'evaluate')) {
    const record = s.state === 'fresh' && s.key ? readKeyRecord(project.layout, s.key) : undefined;
    const ref = record?.outputs['results.json'];
    if (!ref) {
      stale.push(s.name);
      continue;
    }
    // named as people find it: its copy under experiments/, else the cache object
    const file = ref.materialized ?? project.store.path(ref.hash);
    let value: unknown;
    try {
      value = JSON.parse((await project.store.read(ref.hash)).toString('utf8'));
    } catch (error) {
      invalid.push({ kind: 'results-json', message: `not JSON: ${error instanceof Error ? error.message : String(error)}`, location: { file }, stage: s.name });
      continue;
    }
    const checked = checkModelResult(value, file);
    if (checked.ok) results.push(checked.value);
    else invalid.push({ ...checked.error, stage: s.name });
  }
  // a results.json that fails its schema check is never dropped silently
  if (invalid.length > 0) printErrors(invalid);
  if (results.length === 0) {
    printErrors([{ kind: 'no-results', message: 'no current evaluation results', hint: 'run `glioflow run` (or `npm start`) first' }]);
    return 1;
  }
  process.stdout.write(`${formatResultsTable(results, { json: flags.json === true })}\n`);
  if (stale.length > 0) process.stderr.write(`not shown (stale, run them first): ${stale.join(', ')}\n`);
  return invalid.length > 0 ? 1 : 0;
}
