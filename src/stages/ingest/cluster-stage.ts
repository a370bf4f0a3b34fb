// `cluster`: per series, k-means (k = 3) on the slice ratios, keeping the chosen cluster (the
// original keeps the middle one), and the series of the selected sequences that go on.
import { defineStage } from '../../engine/stage-api.js';
import { writeCsv } from '../tables.js';
import type { ClusterOutput, ClusteredSlice, IndexOutput, SeriesRatios } from './types.js';

const SEQUENCES = ['T1', 'T1post', 'T2', 'FLAIR', 'other', 'all'] as const;

export default defineStage({
  name: 'cluster',
  description: 'k-means (k=3) per series on slice ratios; keeps one cluster of slices',
  version: 1,
  params: {
    keep: { type: 'string', default: 'middle', enum: ['middle', 'lowest', 'not-highest'], description: "middle = the original (the cluster whose centre is the middle of three); lowest = the most brain-filled slices; not-highest = drop only the background cluster" },
    sequences: { type: 'string[]', default: ['T1', 'T1post', 'T2', 'FLAIR'], enum: SEQUENCES, description: 'sequence classes that go on to tensorize; [all] = every series, as the original' },
    seed: { type: 'integer', default: 0, min: 0, description: "k-means seed (scikit-learn's random_state)" },
    n_init: { type: 'integer', default: 10, min: 1, description: 'k-means initialisations; the lowest inertia wins' },
  },
  async run(ctx) {
    const { clusterSeries, keepMask } = await import('../../preprocess/index.js');
    const index = await ctx.upstreamOf('index').readJson<IndexOutput>('index.json');
    const ratios = await ctx.upstreamOf('ratios').readJson<SeriesRatios[]>('ratios.json');
    const bySeries = new Map(ratios.map((r) => [r.series, r.slices]));
    const hashOf = new Map(index.files.map((f) => [f.header.file, f.hash]));
    const wanted = new Set(ctx.params.sequences as string[]);
    const all = wanted.has('all');
    const out: ClusterOutput = { root: index.root, slices: [], skipped: [], selected: [] };

    for (const series of index.series) {
      const slices = bySeries.get(series.id) ?? [];
      const usable = slices.filter((s) => s.ratio !== null);
      const base = { patient: series.patientId, series: series.id, sequence: series.sequence, plane: series.plane };
      const record = (kept: boolean[] | null, rank: number[] | null): void => {
        let u = 0;
        for (const s of slices) {
          const i = s.ratio === null ? -1 : u++;
          out.slices.push({ file: s.file, frame: s.frame, hash: hashOf.get(s.file) ?? '', ...base, ratio: s.ratio, cluster_rank: rank && i >= 0 ? (rank[i] ?? null) : null, kept: kept !== null && i >= 0 && kept[i] === true });
        }
      };
      const clustered = clusterSeries(usable.map((s) => s.ratio as number), { seed: Number(ctx.params.seed), nInit: Number(ctx.params.n_init) });
      if (!clustered.ok) {
        out.skipped.push({ series: series.id, reason: clustered.error.message });
        record(null, null);
        continue;
      }
      const mask = keepMask(clustered.value, ctx.params.keep as 'middle' | 'lowest' | 'not-highest');
      record(mask, clustered.value.rank);
      if (!all && !wanted.has(series.sequence)) continue;
      const kept = usable.flatMap((s, i) => (mask[i] ? [{ file: s.file, frame: s.frame, hash: hashOf.get(s.file) ?? '', index: slices.indexOf(s) }] : []));
      if (kept.length > 0) out.selected.push({ ...base, rows: series.rows, columns: series.columns, kept });
    }
    for (const s of out.skipped) ctx.log('info', `series not clustered: ${s.reason}`, { item: s.series });
    const keptSlices = out.selected.reduce((n, s) => n + s.kept.length, 0);
    ctx.log('info', `${out.selected.length} series selected (${[...wanted].join(', ')}), ${keptSlices} slices kept; ${out.skipped.length} series skipped`);
    ctx.record('kept_slices', keptSlices);
    await ctx.writeOutput('cluster.json', JSON.stringify(out));
  },
  async export(outputs, dir) {
    const c = await outputs.readJson<ClusterOutput>('cluster.json');
    const row = (s: ClusteredSlice): (string | number | null)[] => [s.file, s.frame, s.patient, s.series, s.sequence, s.plane, s.ratio, s.cluster_rank, s.kept ? 1 : 0];
    return [
      await writeCsv(dir, 'cluster.csv', ['file', 'frame', 'patient', 'series', 'sequence', 'plane', 'ratio', 'cluster_rank', 'kept'], c.slices.map(row)),
      await writeCsv(dir, 'skipped-series.csv', ['series', 'reason'], c.skipped.map((s) => [s.series, s.reason])),
    ];
  },
});
