// The stage graph: order, cycles, and the closure of what a set of requested stages needs.
export interface GraphNode {
  name: string;
  needs: readonly string[];
}

/** A cycle as a path that starts and ends at the same stage, or undefined. */
export function findCycle(nodes: readonly GraphNode[]): string[] | undefined {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const s = state.get(name);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const need of byName.get(name)?.needs ?? []) {
      if (!byName.has(need)) continue;
      const found = visit(need);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const node of nodes) {
    const found = visit(node.name);
    if (found) return found;
  }
  return undefined;
}

/** Stages in dependency order (stable: file order among independent ones). Assumes no cycle. */
export function topologicalOrder<T extends GraphNode>(nodes: readonly T[]): T[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const done = new Set<string>();
  const out: T[] = [];
  const visit = (node: T): void => {
    if (done.has(node.name)) return;
    done.add(node.name);
    for (const need of node.needs) {
      const up = byName.get(need);
      if (up) visit(up);
    }
    out.push(node);
  };
  for (const node of nodes) visit(node);
  return out;
}

/** The requested stages plus everything they need, transitively. */
export function closure<T extends GraphNode>(nodes: readonly T[], requested: readonly string[]): Set<string> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out = new Set<string>();
  const add = (name: string): void => {
    if (out.has(name)) return;
    out.add(name);
    for (const need of byName.get(name)?.needs ?? []) add(need);
  };
  for (const name of requested) add(name);
  return out;
}

/** Every stage that depends on `name`, transitively. */
export function dependants(nodes: readonly GraphNode[], name: string): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (out.has(n.name)) continue;
      if (n.needs.some((need) => need === name || out.has(need))) {
        out.add(n.name);
        grew = true;
      }
    }
  }
  return out;
}
