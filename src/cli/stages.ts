// `glioflow stages`: the implementations pipeline.yaml can `use`, with their params.
import { createRegistry } from '../engine/index.js';
import { builtinStages } from '../stages/registry.js';
import type { GlobalOptions } from './common.js';

export async function stagesCommand(globals: GlobalOptions): Promise<number> {
  void globals;
  const registry = createRegistry(builtinStages);
  for (const name of await registry.names([])) {
    const found = await registry.resolve(name, []);
    if (!found) continue;
    const d = found.definition;
    process.stdout.write(`${name} (v${d.version}): ${d.description}\n`);
    for (const [param, spec] of Object.entries(d.params)) {
      process.stdout.write(`  ${param}: ${spec.type} = ${JSON.stringify(spec.default)}${spec.enum ? ` (one of ${spec.enum.join(', ')})` : ''} — ${spec.description}\n`);
    }
  }
  return 0;
}
