// `glioflow status`: each stage fresh or stale, and why.
import { describeReason, pipelineStatus } from '../engine/index.js';
import { cacheSize, formatBytes } from '../engine/maintenance/gc.js';
import { missingDeps } from '../engine/config/missing-deps.js';
import { selectStages } from '../engine/run/run-pipeline.js';
import { open, printErrors, type GlobalOptions } from './common.js';

export async function statusCommand(globals: GlobalOptions, stages: string[], flags: { json?: boolean }): Promise<number> {
  const project = await open(globals);
  if (!project) return 2;
  // as `run`: a dep that does not exist is an error only for the stages asked about (and what they need)
  const missing = missingDeps(project.root, selectStages(project, stages).selected);
  if (missing.length > 0) {
    printErrors(missing);
    return 2;
  }
  const status = await pipelineStatus(project, stages);
  // measured after pipelineStatus, which may have saved its hash caches
  const cacheBytes = cacheSize(project);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ profile: project.spec.profile.name, cacheBytes, stages: status.map((s) => ({ ...s, why: s.reasons.map(describeReason) })) }, null, 2)}\n`);
    return 0;
  }
  const entries = status.map((s) => ({
    name: s.name,
    fresh: s.state === 'fresh',
    reasons: [
      ...s.reasons.map(describeReason),
      ...(s.state === 'stale' && s.cachedResult ? ['a cached result exists for the new inputs: running restores it'] : []),
      ...s.restores.map((r) => `${r} will be restored from the cache`),
    ],
  }));
  const { renderStatus } = await import('../ui/static.js');
  const { shouldUsePlain } = await import('../ui/plain-logger.js');
  process.stdout.write(`profile: ${project.spec.profile.name} (${project.spec.profile.why})\n`);
  const plain = shouldUsePlain({ isTTY: process.stdout.isTTY, env: process.env });
  process.stdout.write(`${renderStatus(entries, { columns: process.stdout.columns ?? 100, plain })}\n`);
  process.stdout.write(`cache: ${formatBytes(cacheBytes)}\n`);
  return 0;
}
