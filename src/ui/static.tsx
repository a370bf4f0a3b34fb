// One-shot views for `glioflow status` and `glioflow dag`: the same glyphs and layout as the live
// screen, rendered once to a string (Ink on a TTY, plain text otherwise) for the CLI to print.
import { Box, Text, renderToString } from 'ink';
import { truncate } from './format.js';
import { STATUS_STYLE } from './components/glyphs.js';

export interface StatusEntry {
  name: string;
  fresh: boolean;
  reasons: string[];
}

export interface DagNode {
  name: string;
  needs: string[];
}

export interface StaticRenderOptions {
  /** terminal width (default 80) */
  columns?: number;
  /** plain text without escape codes, for non-TTY output */
  plain?: boolean;
}

const MAX_NAME = 28;

function nameWidth(names: readonly string[], columns: number): number {
  const longest = names.reduce((n, s) => Math.max(n, s.length), 0);
  return Math.max(4, Math.min(MAX_NAME, longest, Math.floor(columns / 3)));
}

// ---- status -------------------------------------------------------------------------------

/** A fresh stage is as good as cached (≡: nothing to do); a stale one is what the next run does (●). */
function statusStyle(fresh: boolean): { glyph: string; color?: string; word: string } {
  return fresh ? { glyph: STATUS_STYLE.cached.glyph, word: 'fresh' } : { glyph: STATUS_STYLE.running.glyph, color: 'yellow', word: 'stale' };
}

/** `fresh`, `stale: why; why` — a fresh stage may carry notes too (e.g. what a run would restore). */
function statusDetail(entry: StatusEntry): string {
  const word = statusStyle(entry.fresh).word;
  return entry.reasons.length === 0 ? word : `${word}: ${entry.reasons.join('; ')}`;
}

export function statusSummary(stages: readonly StatusEntry[]): string {
  const stale = stages.filter((s) => !s.fresh).length;
  return stale === 0 ? `all ${stages.length} stages fresh` : `${stale} of ${stages.length} stages to run`;
}

export function StatusView({ stages, columns }: { stages: readonly StatusEntry[]; columns: number }) {
  const width = nameWidth(stages.map((s) => s.name), columns);
  const rest = Math.max(0, columns - width - 4);
  return (
    <Box flexDirection="column" width={columns}>
      {stages.map((s) => {
        const style = statusStyle(s.fresh);
        return (
          <Text key={s.name} wrap="truncate-end">
            <Text color={style.color} dimColor={s.fresh}>
              {style.glyph}
            </Text>{' '}
            <Text dimColor={s.fresh}>{truncate(s.name, width).padEnd(width)}</Text>
            {'  '}
            <Text dimColor={s.fresh}>{truncate(statusDetail(s), rest)}</Text>
          </Text>
        );
      })}
      <Text dimColor>{statusSummary(stages)}</Text>
    </Box>
  );
}

export function statusText(stages: readonly StatusEntry[], columns = 80): string {
  const width = nameWidth(stages.map((s) => s.name), columns);
  const rest = Math.max(0, columns - width - 4);
  const lines = stages.map((s) => `${statusStyle(s.fresh).glyph} ${truncate(s.name, width).padEnd(width)}  ${truncate(statusDetail(s), rest)}`.trimEnd());
  return [...lines, statusSummary(stages)].join('\n');
}

export function renderStatus(stages: readonly StatusEntry[], options: StaticRenderOptions = {}): string {
  const columns = options.columns ?? 80;
  return options.plain ? statusText(stages, columns) : renderToString(<StatusView stages={stages} columns={columns} />, { columns });
}

// ---- dag ----------------------------------------------------------------------------------

export interface DagRow {
  name: string;
  needs: string[];
  /** 0 for stages that need nothing; otherwise one more than the deepest stage it needs */
  depth: number;
  /** needs that name no node */
  missing: string[];
  /** true when the node is on (or behind) a cycle, so it has no depth */
  cyclic: boolean;
}

/**
 * Orders the nodes so every stage comes after what it needs (Kahn's algorithm, ties kept in the
 * given order) and gives each its depth. Cycles and unknown needs are reported, not fatal: the
 * view must still show a broken pipeline so the person can see what is wrong.
 */
export function layoutDag(nodes: readonly DagNode[]): DagRow[] {
  const names = new Set(nodes.map((n) => n.name));
  const depth = new Map<string, number>();
  const rows: DagRow[] = [];
  const placed = new Set<string>();
  let progress = true;
  while (progress && placed.size < nodes.length) {
    progress = false;
    for (const node of nodes) {
      if (placed.has(node.name)) continue;
      const known = node.needs.filter((n) => names.has(n));
      if (!known.every((n) => placed.has(n))) continue;
      const d = known.length === 0 ? 0 : 1 + Math.max(...known.map((n) => depth.get(n) ?? 0));
      depth.set(node.name, d);
      placed.add(node.name);
      rows.push({ name: node.name, needs: node.needs, depth: d, missing: node.needs.filter((n) => !names.has(n)), cyclic: false });
      progress = true;
      // Restart from the top so ties keep the given order.
      break;
    }
  }
  for (const node of nodes) {
    if (!placed.has(node.name)) rows.push({ name: node.name, needs: node.needs, depth: 0, missing: node.needs.filter((n) => !names.has(n)), cyclic: true });
  }
  return rows;
}

function dagNeeds(row: DagRow): string {
  if (row.needs.length === 0) return '';
  const needs = row.needs.map((n) => (row.missing.includes(n) ? `${n} (missing)` : n)).join(', ');
  return `← ${needs}${row.cyclic ? '  (cycle)' : ''}`;
}

const INDENT = 2;

export function DagView({ nodes, columns }: { nodes: readonly DagNode[]; columns: number }) {
  const rows = layoutDag(nodes);
  const width = Math.min(columns, rows.reduce((n, r) => Math.max(n, r.depth * INDENT + r.name.length), 0));
  return (
    <Box flexDirection="column" width={columns}>
      {rows.map((r) => {
        const broken = r.cyclic || r.missing.length > 0;
        return (
          <Text key={r.name} wrap="truncate-end">
            {`${' '.repeat(r.depth * INDENT)}${r.name}`.padEnd(width)}
            {'  '}
            <Text color={broken ? 'red' : undefined} dimColor={!broken}>
              {dagNeeds(r)}
            </Text>
          </Text>
        );
      })}
    </Box>
  );
}

export function dagText(nodes: readonly DagNode[], columns = 80): string {
  const rows = layoutDag(nodes);
  const width = Math.min(columns, rows.reduce((n, r) => Math.max(n, r.depth * INDENT + r.name.length), 0));
  return rows.map((r) => truncate(`${`${' '.repeat(r.depth * INDENT)}${r.name}`.padEnd(width)}  ${dagNeeds(r)}`.trimEnd(), columns)).join('\n');
}

export function renderDag(nodes: readonly DagNode[], options: StaticRenderOptions = {}): string {
  const columns = options.columns ?? 80;
  return options.plain ? dagText(nodes, columns) : renderToString(<DagView nodes={nodes} columns={columns} />, { columns });
}
