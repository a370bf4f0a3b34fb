// Generic per-folder stages, as a pipeline.yaml plugin: the engine benchmark (5,000 files in 250
// folders, three per-folder stages and a summary, against Snakemake) and the engine's tests use
// them. They know nothing of MRI: they only count lines and bytes.
import { defineStage, type Item } from '../engine/stage-api.js';
import { hashJson } from '../engine/hash.js';
import { siblingModule } from '../stages/module-url.js';

const itemsModule = siblingModule('engine-stage-items', import.meta.url);

export interface FolderRow {
  folder: string;
  files: number;
  lines: number;
  bytes: number;
  value: number;
}

const folderDigest = defineStage({
  name: 'folder-digest',
  description: 'one row per top-level folder of its dep: file, line and byte counts (items = folders)',
  version: 1,
  params: {
    salt: { type: 'string', default: '', description: 'changes every item key (for tests)' },
    delay_ms: { type: 'integer', default: 0, min: 0, description: 'sleep per item, so tests can interrupt a stage mid-way' },
  },
  async run(ctx) {
    const files = await ctx.depFiles();
    const byFolder = new Map<string, { paths: string[]; hashes: string[] }>();
    for (const f of files) {
      const folder = f.relative.includes('/') ? (f.relative.split('/')[0] as string) : '.';
      const entry = byFolder.get(folder) ?? { paths: [], hashes: [] };
      entry.paths.push(f.path);
      entry.hashes.push(`${f.relative}:${f.hash}`);
      byFolder.set(folder, entry);
    }
    const items: Item<{ folder: string; paths: string[] }>[] = [...byFolder].map(([folder, e]) => ({
      id: folder,
      hash: hashJson(e.hashes),
      input: { folder, paths: e.paths },
    }));
    const outcomes = await ctx.mapItems<{ folder: string; paths: string[] }, FolderRow>(items, { kind: 'worker', module: itemsModule, fn: 'digestFolder', params: { salt: ctx.params.salt ?? '', delayMs: ctx.params.delay_ms ?? 0 } }, { unit: 'folders' });
    const rows: FolderRow[] = [];
    for (const o of outcomes) {
      if (o.ok) rows.push(o.value);
      else throw new Error(`folder ${o.id}: ${o.error.message}`);
    }
    await ctx.writeOutput('table.json', JSON.stringify(rows));
  },
});

const folderTransform = defineStage({
  name: 'folder-transform',
  description: 'per folder row: value × factor + offset (items = rows of the upstream table)',
  version: 1,
  params: {
    factor: { type: 'number', default: 1, description: 'multiplier' },
    offset: { type: 'number', default: 0, description: 'added after multiplying' },
  },
  async run(ctx) {
    const [up] = ctx.upstream;
    if (!up) throw new Error('folder-transform needs one upstream stage with a table.json output');
    const rows = await up.readJson<FolderRow[]>('table.json');
    const items = rows.map((row) => ({ id: row.folder, hash: hashJson(row as unknown as Record<string, number>), input: row }));
    const outcomes = await ctx.mapItems<FolderRow, FolderRow>(items, { kind: 'worker', module: itemsModule, fn: 'transformRow', params: { factor: ctx.params.factor ?? 1, offset: ctx.params.offset ?? 0 } }, { unit: 'folders' });
    await ctx.writeOutput('table.json', JSON.stringify(outcomes.map((o) => (o.ok ? o.value : null))));
  },
});

const folderSummary = defineStage({
  name: 'folder-summary',
  description: 'totals over all folder rows, written to a file people read',
  version: 1,
  params: {
    to: { type: 'string', default: 'experiments/summary.json', description: 'where the summary is materialised' },
    title: { type: 'string', default: 'summary', description: 'a label in the output' },
  },
  async run(ctx) {
    const [up] = ctx.upstream;
    if (!up) throw new Error('folder-summary needs one upstream stage with a table.json output');
    const rows = await up.readJson<FolderRow[]>('table.json');
    const total = rows.reduce((acc, r) => ({ files: acc.files + r.files, lines: acc.lines + r.lines, bytes: acc.bytes + r.bytes, value: acc.value + r.value }), { files: 0, lines: 0, bytes: 0, value: 0 });
    ctx.record('folders', rows.length);
    await ctx.writeOutput('summary.json', `${JSON.stringify({ title: ctx.params.title, folders: rows.length, ...total }, null, 2)}\n`, { materialize: String(ctx.params.to) });
  },
});

export const stages = [folderDigest, folderTransform, folderSummary];
