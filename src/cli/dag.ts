// `glioflow dag`: the stage graph as text (the same view as the live UI), Mermaid or Graphviz dot.
import { open, type GlobalOptions } from './common.js';

const quote = (s: string): string => JSON.stringify(s);

export async function dagCommand(globals: GlobalOptions, flags: { format: 'text' | 'mermaid' | 'dot' }): Promise<number> {
  const project = await open(globals);
  if (!project) return 2;
  const nodes = project.spec.stages.map((s) => ({ name: s.name, needs: s.needs }));
  if (flags.format === 'mermaid') {
    const id = new Map(nodes.map((n, i) => [n.name, `s${i}`]));
    const lines = ['graph TD', ...nodes.map((n) => `  ${id.get(n.name)}[${quote(n.name)}]`)];
    for (const n of nodes) for (const need of n.needs) lines.push(`  ${id.get(need)} --> ${id.get(n.name)}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
  if (flags.format === 'dot') {
    const lines = ['digraph glioflow {', '  rankdir=LR;', ...nodes.map((n) => `  ${quote(n.name)};`)];
    for (const n of nodes) for (const need of n.needs) lines.push(`  ${quote(need)} -> ${quote(n.name)};`);
    process.stdout.write(`${[...lines, '}'].join('\n')}\n`);
    return 0;
  }
  const { renderDag } = await import('../ui/static.js');
  const { shouldUsePlain } = await import('../ui/plain-logger.js');
  const plain = shouldUsePlain({ isTTY: process.stdout.isTTY, env: process.env });
  process.stdout.write(`${renderDag(nodes, { columns: process.stdout.columns ?? 100, plain })}\n`);
  return 0;
}
