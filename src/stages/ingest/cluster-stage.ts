// `cluster`: per series, k-means (k = 3) on the slice ratios, keeping the chosen cluster (the
// original keeps the middle one), and the series of the selected sequences that go on.
// Reads the index's series and slices tables and the ratios table side by side, a series at a time (all three are in
// the same series order); writes cluster.arrow (one row per slice), selected.arrow (the kept slices of the series
// that go on), skipped.arrow and cluster.json (root and counts).
import { join } from 'node:path';
import { defineStage, GlioflowFailure } from '../../engine/stage-api.js';
import { ArrowTableWriter, groupsOf, readTableRows, type RowOf } from '../../tables/arrow.js';
import { copyTables, exportTable } from '../table-export.js';
import { CLUSTER_COLUMNS, RATIO_COLUMNS, SELECTED_COLUMNS, SERIES_COLUMNS, SKIPPED_COLUMNS, SLICE_COLUMNS } from './tables.js';
import type { ClusterOutput, IndexOutput } from './types.js';

const SEQUENCES = ['T1', 'T1post', 'T2', 'FLAIR', 'other', 'all'] as const;

export const CLUSTER_TABLES = { slices: 'cluster.arrow', selected: 'selected.arrow', skipped: 'skipped.arrow' } as const;

export default defineStage({
  name: 'cluster',
  description: 'k-means (k=3) per series on slice ratios; keeps one cluster of slices',
  version: 2,
  params: {
    keep: { type: 'string', default: 'middle', enum: ['middle', 'lowest', 'not-highest'], description: "middle = the original (the cluster whose centre is the middle of three); lowest = the most brain-filled slices; not-highest = drop only the background cluster" },
    sequences: { type: 'string[]', default: ['T1', 'T1post', 'T2', 'FLAIR'], enum: SEQUENCES, description: 'sequence classes that go on to tensorize; [all] = every series, as the original' },
    seed: { type: 'integer', default: 0, min: 0, description: "k-means seed (scikit-learn's random_state)" },
    n_init: { type: 'integer', default: 10, min: 1, description: 'k-means initialisations; the lowest inertia wins' },
  },
  async run(ctx) {
    const { clusterSeries, keepMask } = await import('../../preprocess/index.js');
    const indexUp = ctx.upstreamOf('index');
    const ratiosUp = ctx.upstreamOf('ratios');
    const index = await indexUp.readJson<IndexOutput>('index.json');
    const wanted = new Set(ctx.params.sequences as string[]);
    const all = wanted.has('all');
    const seriesRows = readTableRows(indexUp.path(index.tables.series), SERIES_COLUMNS, 'the index series table')[Symbol.asyncIterator]();
    const sliceGroups = groupsOf(readTableRows(indexUp.path(index.tables.slices), SLICE_COLUMNS, 'the index slices table'), 'series')[Symbol.asyncIterator]();
    const ratioGroups = groupsOf(readTableRows(ratiosUp.path('ratios.arrow'), RATIO_COLUMNS, 'the ratios table'), 'series')[Symbol.asyncIterator]();
    const out = {
      slices: new ArrowTableWriter(join(ctx.scratchDir, CLUSTER_TABLES.slices), CLUSTER_COLUMNS),
      selected: new ArrowTableWriter(join(ctx.scratchDir, CLUSTER_TABLES.selected), SELECTED_COLUMNS),
      skipped: new ArrowTableWriter(join(ctx.scratchDir, CLUSTER_TABLES.skipped), SKIPPED_COLUMNS),
    };
    let selectedSeries = 0;
    let logged = 0;
    const disagree = (message: string): GlioflowFailure =>
      new GlioflowFailure({ kind: 'upstream-mismatch', message: `the index and ratios tables disagree: ${message}`, stage: ctx.stage, hint: 'run index and ratios again (`glioflow run --force index ratios`)' });
    try {
      for (;;) {
        const next = await seriesRows.next();
        if (next.done) break;
        const series = next.value;
        const sliceGroup = await sliceGroups.next();
        const ratioGroup = await ratioGroups.next();
        const slices = sliceGroup.done || sliceGroup.value.key !== series.series ? [] : sliceGroup.value.rows;
        if (slices.length !== series.slices) throw disagree(`series ${series.series} has ${series.slices} slices in series.arrow, ${slices.length} in slices.arrow`);
        const ratios = ratioGroup.done || ratioGroup.value.key !== series.series ? undefined : ratioGroup.value.rows;
        if (!ratios || ratios.length !== slices.length) throw disagree(`series ${series.series} has ${slices.length} slices, ${ratios?.length ?? 0} ratios`);
        const usable: { slice: RowOf<typeof SLICE_COLUMNS>; ratio: number }[] = [];
        for (let i = 0; i < slices.length; i++) {
          const r = ratios[i] as RowOf<typeof RATIO_COLUMNS>;
          const s = slices[i] as RowOf<typeof SLICE_COLUMNS>;
          if (r.file !== s.file || r.frame !== s.frame) throw disagree(`slice ${i} of series ${series.series} is ${s.file}#${s.frame} in the index, ${r.file}#${r.frame} in ratios`);
          if (r.ratio !== null) usable.push({ slice: s, ratio: r.ratio });
        }
        const base = { patient: series.patient, series: series.series, sequence: series.sequence, plane: series.plane };
        const record = (kept: boolean[] | null, rank: number[] | null): void => {
          let u = 0;
          for (let i = 0; i < slices.length; i++) {
            const s = slices[i] as RowOf<typeof SLICE_COLUMNS>;
            const ratio = (ratios[i] as RowOf<typeof RATIO_COLUMNS>).ratio;
            const k = ratio === null ? -1 : u++;
            out.slices.append({ file: s.file, frame: s.frame, hash: s.hash, ...base, ratio, cluster_rank: rank && k >= 0 ? (rank[k] ?? null) : null, kept: kept !== null && k >= 0 && kept[k] === true });
          }
        };
        const clustered = clusterSeries(
          usable.map((u) => u.ratio),
          { seed: Number(ctx.params.seed), nInit: Number(ctx.params.n_init) },
        );
        if (!clustered.ok) {
          out.skipped.append({ series: series.series, reason: clustered.error.message });
          if (logged++ < 1000) ctx.log('info', `series not clustered: ${clustered.error.message}`, { item: series.series });
          record(null, null);
          continue;
        }
        const mask = keepMask(clustered.value, ctx.params.keep as 'middle' | 'lowest' | 'not-highest');
        record(mask, clustered.value.rank);
        if (!all && !wanted.has(series.sequence)) continue;
        let keptHere = 0;
        usable.forEach((u, i) => {
          if (!mask[i]) return;
          keptHere++;
          out.selected.append({ ...base, rows: series.rows, columns: series.columns, file: u.slice.file, frame: u.slice.frame, hash: u.slice.hash, index: u.slice.index });
        });
        if (keptHere > 0) selectedSeries++;
      }
      if (!(await sliceGroups.next()).done || !(await ratioGroups.next()).done) throw disagree('slices.arrow or ratios.arrow has series that series.arrow does not');
    } finally {
      for (const w of Object.values(out)) w.close();
    }
    const keptSlices = out.selected.rows;
    ctx.log('info', `${selectedSeries} series selected (${[...wanted].join(', ')}), ${keptSlices} slices kept; ${out.skipped.rows} series skipped`);
    ctx.record('kept_slices', keptSlices);
    for (const file of Object.values(CLUSTER_TABLES)) await ctx.writeOutputFile(file, join(ctx.scratchDir, file));
    const summary: ClusterOutput = { root: index.root, counts: { slices: out.slices.rows, selectedSeries, keptSlices, skipped: out.skipped.rows }, tables: CLUSTER_TABLES };
    await ctx.writeOutput('cluster.json', JSON.stringify(summary));
  },
  async export(outputs, dir, format) {
    if (format === 'arrow') return copyTables((o) => outputs.path(o), dir, Object.values(CLUSTER_TABLES));
    return [
      await exportTable({ path: outputs.path(CLUSTER_TABLES.slices), columns: CLUSTER_COLUMNS, what: 'the cluster table' }, dir, 'cluster.csv', ['file', 'frame', 'patient', 'series', 'sequence', 'plane', 'ratio', 'cluster_rank', 'kept'], (s) => [s.file, s.frame, s.patient, s.series, s.sequence, s.plane, s.ratio, s.cluster_rank, s.kept ? 1 : 0]),
      await exportTable({ path: outputs.path(CLUSTER_TABLES.skipped), columns: SKIPPED_COLUMNS, what: 'the skipped series table' }, dir, 'skipped-series.csv', ['series', 'reason'], (s) => [s.series, s.reason]),
    ];
  },
});
