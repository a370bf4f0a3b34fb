// `glioflow show [--json]`: the cross-model results table, from the current evaluate stages.
import { pipelineStatus } from '../engine/index.js';
import { readKeyRecord } from '../engine/store/records.js';
import { open, printErrors, type GlobalOptions } from './common.js';

export async function showCommand(globals: GlobalOptions, flags: { json?: boolean }): Promise<number> {
  const project = await open(globals);
  if (!project) return 2;
  const { checkModelResult, formatResultsTable } = await import('../report/index.js');
  const evaluations = project.spec.stages.filter((s) => s.uses === 'evaluate');
  const status = await pipelineStatus(project, evaluations.map((s) => s.name));
  const results = [];
  const stale: string[] = [];
  for (const s of status.filter((x) => x.uses === 'evaluate')) {
    const record = s.state === 'fresh' && s.key ? readKeyRecord(project.layout, s.key) : undefined;
    const ref = record?.outputs['results.json'];
    if (!ref) {
      stale.push(s.name);
      continue;
    }
    const checked = checkModelResult(JSON.parse((await project.store.read(ref.hash)).toString('utf8')), s.name);
    if (checked.ok) results.push(checked.value);
  }
  if (results.length === 0) {
    printErrors([{ kind: 'no-results', message: 'no current evaluation results', hint: 'run `glioflow run` (or `npm start`) first' }]);
    return 1;
  }
  process.stdout.write(`${formatResultsTable(results, { json: flags.json === true })}\n`);
  if (stale.length > 0) process.stderr.write(`not shown (stale, run them first): ${stale.join(', ')}\n`);
  return 0;
}
