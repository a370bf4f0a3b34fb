// `tensorize`: kept slices of the selected series of matched patients → z-scored, resized
// tensors in Arrow IPC shards, with a patient-level train/val/test split (and optional folds).
// Items = series (cached per series and size); shards are written patient by patient, so the
// cohort is never in memory, and an unchanged shard is the same object in the store.
import { basename, join } from 'node:path';
import { defineStage, GlioflowFailure, type Item } from '../../engine/stage-api.js';
import { hashParts } from '../../engine/hash.js';
import { siblingModule } from '../module-url.js';
import { writeCsv } from '../tables.js';
import { groupsOf, readTableRows } from '../../tables/arrow.js';
import { SELECTED_COLUMNS } from '../ingest/tables.js';
import type { ClusterOutput, SelectedSeries } from '../ingest/types.js';
import type { LabelsOutput } from './labels-stage.js';
import type { TensorInput, TensorResult } from './tensor-items.js';

const items = siblingModule('tensor-items', import.meta.url);

export interface TensorizeOutput {
  size: number;
  shards: { output: string; patients: string[]; rows: number; bytes: number }[];
  splits: { patient: string; split: string; fold: number | null; labels: number[]; slices: number }[];
  folds: number | null;
  warnings: string[];
}

/**
 * One series as a tensorize item. Its input holds only what its hash covers (the series, each kept slice's file,
 * frame and content hash, and the geometry those files decide), so a cached result can never be stale.
 */
export function tensorItem(s: SelectedSeries, root: string): Item<TensorInput> {
  return {
    id: s.series,
    hash: hashParts([s.series, ...s.kept.flatMap((k) => [k.file, String(k.frame), k.hash])]),
    input: { root, rows: s.rows, columns: s.columns, slices: s.kept.map((k) => ({ file: k.file, frame: k.frame })) },
  };
}

export default defineStage({
  name: 'tensorize',
  description: 'kept slices → z-score per slice → bilinear resize → Arrow IPC shards with a patient-level split',
  version: 1,
  params: {
    size: { type: 'integer', default: 224, min: 16, max: 1024, description: 'image size after resizing (the original: 224)' },
    shard_mb: { type: 'number', default: 64, min: 1, description: 'target shard size in MB' },
    seed: { type: 'integer', default: 0, min: 0, description: 'seed of the patient split' },
    val: { type: 'number', default: 0.15, min: 0, max: 0.5, description: 'fraction of patients for validation' },
    test: { type: 'number', default: 0.15, min: 0, max: 0.5, description: 'fraction of patients for testing' },
    folds: { type: 'integer', default: 0, min: 0, max: 20, description: '0 = one holdout split; k ≥ 3 = k-fold, every patient in one test fold' },
  },
  async run(ctx) {
    const { assignSplits } = await import('../../splits/index.js');
    const { writeShards } = await import('../../tensors/index.js');
    const clusterUp = ctx.upstreamOf('cluster');
    const cluster = await clusterUp.readJson<ClusterOutput>('cluster.json');
    // the kept slices of the selected series (a fraction of the cohort's slices), series by series
    const selected: SelectedSeries[] = [];
    for await (const g of groupsOf(readTableRows(clusterUp.path(cluster.tables.selected), SELECTED_COLUMNS, 'the cluster selected table'), 'series')) {
      const first = g.rows[0] as (typeof g.rows)[number];
      selected.push({ series: g.key, patient: first.patient, sequence: first.sequence, plane: first.plane, rows: first.rows, columns: first.columns, kept: g.rows.map((r) => ({ file: r.file, frame: r.frame, hash: r.hash, index: r.index })) });
    }
    const labels = await ctx.upstreamOf('labels').readJson<LabelsOutput>('labels.json');
    const size = Number(ctx.params.size);
    const labelOf = new Map(labels.matched.map((r) => [r.patient, r.labels as number[]]));
    const series = selected.filter((s) => labelOf.has(s.patient));
    const withoutLabels = new Set(selected.filter((s) => !labelOf.has(s.patient)).map((s) => s.patient));
    if (withoutLabels.size > 0) ctx.log('warn', `${withoutLabels.size} MRI patients have no labels and are left out: ${[...withoutLabels].slice(0, 5).join(', ')}${withoutLabels.size > 5 ? ' …' : ''}`);
    const patients = [...new Set(series.map((s) => s.patient))].sort();
    if (patients.length < 3) throw new GlioflowFailure({ kind: 'too-few-patients', message: `only ${patients.length} labelled patients with kept slices; a train/val/test split needs at least 3`, stage: ctx.stage });

    const split = assignSplits(patients.map((id) => ({ id, labels: labelOf.get(id) as number[] })), {
      seed: Number(ctx.params.seed),
      val: Number(ctx.params.val),
      test: Number(ctx.params.test),
      ...(Number(ctx.params.folds) > 0 ? { folds: Number(ctx.params.folds) } : {}),
    });
    if (!split.ok) throw new GlioflowFailure({ ...split.error, stage: ctx.stage });
    for (const w of split.value.warnings) ctx.log('warn', w);
    ctx.record('split_counts', JSON.parse(JSON.stringify(split.value.counts)));

    const root = join(ctx.root, cluster.root);
    const bySeriesPatient = new Map<string, typeof series>();
    for (const s of series) bySeriesPatient.set(s.patient, [...(bySeriesPatient.get(s.patient) ?? []), s]);
    const total = series.length;
    let done = 0;
    const itemsOf = (patient: string): Item<TensorInput>[] => (bySeriesPatient.get(patient) ?? []).map((s) => tensorItem(s, root));
    const rowsByPatient = split.value.assignments.map((a) => {
      const group = bySeriesPatient.get(a.patient) ?? [];
      return {
        patient: a.patient,
        split: a.split,
        fold: a.fold,
        labels: labelOf.get(a.patient) as number[],
        rowCount: group.reduce((n, s) => n + s.kept.length, 0),
        rows: async function* () {
          const outcomes = await ctx.mapItems<TensorInput, TensorResult>(itemsOf(a.patient), { kind: 'worker', module: items, fn: 'tensorizeSeries', params: { size } }, { unit: 'series', quiet: true });
          done += outcomes.length;
          ctx.progress({ unit: 'series', done: Math.min(done, total), total });
          for (const [i, o] of outcomes.entries()) {
            if (!o.ok) throw new GlioflowFailure({ ...o.error, stage: ctx.stage, item: o.id });
            const s = group[i] as (typeof group)[number];
            // the slice index comes from cluster's output (part of this stage's key), never from the cached item:
            // a file added to the series shifts the indices of slices whose item did not change
            for (let j = 0; j < s.kept.length; j++) {
              yield { series: s.series, sequence: s.sequence, plane: s.plane, slice: (s.kept[j] as (typeof s.kept)[number]).index, pixels: o.value.pixels.subarray(j * size * size, (j + 1) * size * size) };
            }
          }
        },
      };
    });
    const dir = join(ctx.scratchDir, 'shards');
    const written = await writeShards(rowsByPatient, { dir, size, shardMb: Number(ctx.params.shard_mb), folds: split.value.folds, params: ctx.params });
    if (!written.ok) throw new GlioflowFailure({ ...written.error, stage: ctx.stage });
    const out: TensorizeOutput = { size, shards: [], splits: [], folds: split.value.folds, warnings: split.value.warnings };
    for (const shard of written.value) {
      const output = `shards/${basename(shard.file)}`;
      await ctx.writeOutputFile(output, shard.file);
      out.shards.push({ output, patients: shard.patients, rows: shard.rows, bytes: shard.bytes });
    }
    out.splits = split.value.assignments.map((a) => ({ patient: a.patient, split: a.split, fold: a.fold, labels: labelOf.get(a.patient) as number[], slices: rowsByPatient.find((r) => r.patient === a.patient)?.rowCount ?? 0 }));
    const rows = out.shards.reduce((n, s) => n + s.rows, 0);
    ctx.log('info', `${rows} slices of ${patients.length} patients in ${out.shards.length} shards (${size}×${size})`);
    await ctx.writeOutput('tensorize.json', JSON.stringify(out));
  },
  async export(outputs, dir, format) {
    const t = await outputs.readJson<TensorizeOutput>('tensorize.json');
    const files = [await writeCsv(dir, 'splits.csv', ['patient', 'split', 'fold', 'TP53', 'PTEN', 'EGFR', 'IDH', 'slices'], t.splits.map((s) => [s.patient, s.split, s.fold, ...s.labels, s.slices]))];
    if (format === 'arrow') {
      const { copyFile } = await import('node:fs/promises');
      for (const s of t.shards) {
        const target = join(dir, basename(s.output));
        await copyFile(outputs.path(s.output), target);
        files.push(target);
      }
    }
    return files;
  },
});
