// `ratios`: each slice's black-pixel ratio (fraction of pixels ≤ the slice's own 5th percentile,
// numpy's linear interpolation). Items = series, computed on the worker pool, read from the index's slices table a
// series at a time; ratios.arrow has one row per slice, in that table's order.
import { join } from 'node:path';
import { defineStage, type Item } from '../../engine/stage-api.js';
import { hashParts } from '../../engine/hash.js';
import { ArrowTableWriter, groupsOf, readTableRows } from '../../tables/arrow.js';
import { FailureTally } from '../item-failures.js';
import { siblingModule } from '../module-url.js';
import { copyTables, exportTable } from '../table-export.js';
import { RATIO_COLUMNS, SLICE_COLUMNS } from './tables.js';
import type { IndexOutput, SliceRatio } from './types.js';
import type { RatioInput } from './ratio-items.js';

const items = siblingModule('ratio-items', import.meta.url);

export const RATIOS_TABLE = 'ratios.arrow';

export default defineStage({
  name: 'ratios',
  description: "per-slice black-pixel ratio: fraction of pixels ≤ the slice's 5th percentile",
  version: 2,
  params: {},
  async run(ctx) {
    const upstream = ctx.upstreamOf('index');
    const index = await upstream.readJson<IndexOutput>('index.json');
    const root = join(ctx.root, index.root);
    async function* work(): AsyncGenerator<Item<RatioInput>> {
      for await (const g of groupsOf(readTableRows(upstream.path(index.tables.slices), SLICE_COLUMNS, 'the index slices table'), 'series')) {
        yield { id: g.key, hash: hashParts(g.rows.flatMap((sl) => [sl.file, String(sl.frame), sl.hash])), input: { root, slices: g.rows.map((sl) => ({ file: sl.file, frame: sl.frame })) } };
      }
    }
    const table = new ArrowTableWriter(join(ctx.scratchDir, RATIOS_TABLE), RATIO_COLUMNS);
    const tally = new FailureTally(ctx.stage, 'series');
    let warned = 0;
    try {
      await ctx.forEachItem<RatioInput, SliceRatio[]>(work(), { kind: 'worker', module: items, fn: 'seriesRatios', params: null }, { unit: 'series', total: index.counts.series }, (o) => {
        if (!tally.add(o)) return;
        for (const sl of o.value) {
          if (sl.error && warned++ < 1000) ctx.log('warn', `slice not decoded: ${sl.error}`, { item: o.id, file: sl.file });
          table.append({ series: o.id, file: sl.file, frame: sl.frame, ratio: sl.ratio, threshold: sl.threshold, error: sl.error ?? null });
        }
      });
    } finally {
      table.close();
    }
    tally.throwIfAny();
    ctx.record('slices', table.rows);
    await ctx.writeOutputFile(RATIOS_TABLE, join(ctx.scratchDir, RATIOS_TABLE));
  },
  async export(outputs, dir, format) {
    if (format === 'arrow') return copyTables((o) => outputs.path(o), dir, [RATIOS_TABLE]);
    return [await exportTable({ path: outputs.path(RATIOS_TABLE), columns: RATIO_COLUMNS, what: 'the ratios table' }, dir, 'ratios.csv', ['series', 'file', 'frame', 'ratio', 'threshold', 'error'], (r) => [r.series, r.file, r.frame, r.ratio, r.threshold, r.error])];
  },
});
