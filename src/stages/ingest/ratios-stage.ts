// `ratios`: each slice's black-pixel ratio (fraction of pixels ≤ the slice's own 5th percentile,
// numpy's linear interpolation). Items = series, computed on the worker pool.
import { join } from 'node:path';
import { defineStage } from '../../engine/stage-api.js';
import { hashParts } from '../../engine/hash.js';
import { succeededItems } from '../item-failures.js';
import { siblingModule } from '../module-url.js';
import { writeCsv } from '../tables.js';
import type { IndexOutput, SeriesRatios, SliceRatio } from './types.js';
import type { RatioInput } from './ratio-items.js';

const items = siblingModule('ratio-items', import.meta.url);

export default defineStage({
  name: 'ratios',
  description: "per-slice black-pixel ratio: fraction of pixels ≤ the slice's 5th percentile",
  version: 1,
  params: {},
  async run(ctx) {
    const index = await ctx.upstreamOf('index').readJson<IndexOutput>('index.json');
    const hashOf = new Map(index.files.map((f) => [f.header.file, f.hash]));
    const root = join(ctx.root, index.root);
    const work = index.series.map((s) => ({
      id: s.id,
      hash: hashParts(s.slices.flatMap((sl) => [sl.file, String(sl.frame), hashOf.get(sl.file) ?? ''])),
      input: { root, slices: s.slices.map((sl) => ({ file: sl.file, frame: sl.frame })) },
    }));
    const outcomes = await ctx.mapItems<RatioInput, SliceRatio[]>(work, { kind: 'worker', module: items, fn: 'seriesRatios', params: null }, { unit: 'series' });
    const result: SeriesRatios[] = [];
    for (const o of succeededItems(ctx.stage, outcomes, 'series')) {
      for (const bad of o.value.filter((s) => s.error)) ctx.log('warn', `slice not decoded: ${bad.error}`, { item: o.id, file: bad.file });
      result.push({ series: o.id, slices: o.value });
    }
    ctx.record('slices', result.reduce((n, s) => n + s.slices.length, 0));
    await ctx.writeOutput('ratios.json', JSON.stringify(result));
  },
  async export(outputs, dir) {
    const ratios = await outputs.readJson<SeriesRatios[]>('ratios.json');
    return [await writeCsv(dir, 'ratios.csv', ['series', 'file', 'frame', 'ratio', 'threshold', 'error'], ratios.flatMap((s) => s.slices.map((sl) => [s.series, sl.file, sl.frame, sl.ratio, sl.threshold, sl.error ?? null])))];
  },
});
