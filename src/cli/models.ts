// `glioflow models [--size N] [--json]`: the five architectures and their parameter counts
// (built in tfjs and counted), next to the original's counts at 224.
import { printErrors } from './common.js';

export async function modelsCommand(flags: { size: number; json?: boolean }): Promise<number> {
  const { modelParameterCounts, REFERENCE_PARAMETER_COUNTS, MIN_SIZE, MODEL_NAMES } = await import('../train/models.js');
  const tooSmall = MODEL_NAMES.filter((m) => flags.size < MIN_SIZE[m]);
  if (!Number.isInteger(flags.size) || tooSmall.length > 0) {
    printErrors([{ kind: 'usage', message: `--size ${flags.size} is too small for ${tooSmall.join(', ') || 'these models'}`, hint: `smallest sizes: ${MODEL_NAMES.map((m) => `${m} ${MIN_SIZE[m]}`).join(', ')}` }]);
    return 2;
  }
  const counts = modelParameterCounts(flags.size);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ size: flags.size, models: MODEL_NAMES.map((m) => ({ model: m, parameters: counts[m], original224: REFERENCE_PARAMETER_COUNTS[m] })) }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`model            parameters at ${flags.size}   original at 224\n`);
  for (const m of MODEL_NAMES) process.stdout.write(`${m.padEnd(16)} ${counts[m].toLocaleString('en-US').padStart(16)}   ${REFERENCE_PARAMETER_COUNTS[m].toLocaleString('en-US').padStart(15)}\n`);
  return 0;
}
