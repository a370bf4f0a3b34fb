// `index`: every file under the raw root → DICOM headers (items = files: an unchanged file is
// never parsed again), grouped into series stacks; unusable files recorded with their reason.
// Outputs: files.arrow, series.arrow, slices.arrow, rejected.arrow (tables/*.ts: Arrow IPC, written a record batch at
// a time as the headers stream by) and index.json (root, patients and counts: small).
import { join } from 'node:path';
import { defineStage, type Item } from '../../engine/stage-api.js';
import { hashParts } from '../../engine/hash.js';
import { ArrowTableWriter, readTableBatches } from '../../tables/arrow.js';
import { FailureTally } from '../item-failures.js';
import { siblingModule } from '../module-url.js';
import { copyTables, CsvFileWriter, exportTable } from '../table-export.js';
import { FILE_COLUMNS, REJECTED_COLUMNS, SERIES_COLUMNS, SLICE_COLUMNS, vectorText } from './tables.js';
import type { IndexOutput, RejectedFile } from './types.js';
import type { SliceHeader } from '../../dicom/index.js';

const items = siblingModule('index-items', import.meta.url);

export const INDEX_TABLES = { files: 'files.arrow', series: 'series.arrow', slices: 'slices.arrow', rejected: 'rejected.arrow' } as const;

type IndexInput = { path: string; relative: string };
type IndexResult = { header: SliceHeader } | { rejected: RejectedFile };

export default defineStage({
  name: 'index',
  description: 'DICOM headers of every file under the raw root, grouped into series stacks',
  version: 2,
  params: {},
  async run(ctx) {
    const { SeriesGrouper } = await import('../../dicom/series-grouper.js');
    const root = ctx.deps[0];
    const count = ctx.depFileCount;
    if (!root || count === 0) throw new Error(`no files under ${ctx.deps[0] ?? 'the raw root'}: put DICOM files there (one folder per patient)`);
    let dep = '';
    // the files' hashes from the item given out to its outcome (outcomes come in the items' order, a window at a time)
    const hashes: string[] = [];
    let nextHash = 0;
    async function* work(): AsyncGenerator<Item<IndexInput>> {
      for await (const f of ctx.eachDepFile()) {
        dep ||= f.dep;
        hashes.push(f.hash);
        yield { id: f.relative, hash: hashParts([f.relative, f.hash]), input: { path: f.path, relative: f.relative } };
      }
    }
    const tables = {
      files: new ArrowTableWriter(join(ctx.scratchDir, INDEX_TABLES.files), FILE_COLUMNS),
      rejected: new ArrowTableWriter(join(ctx.scratchDir, INDEX_TABLES.rejected), REJECTED_COLUMNS),
    };
    const grouper = new SeriesGrouper();
    const patients = new Set<string>();
    const tally = new FailureTally(ctx.stage, 'files');
    let warned = 0;
    try {
      await ctx.forEachItem<IndexInput, IndexResult>(work(), { kind: 'worker', module: items, fn: 'indexFile', params: null }, { unit: 'files', total: count }, (o) => {
        const hash = hashes[nextHash] as string;
        hashes[nextHash++] = '';
        if (nextHash === hashes.length) {
          hashes.length = 0;
          nextHash = 0;
        }
        if (!tally.add(o)) return;
        if ('rejected' in o.value) {
          const r = o.value.rejected;
          tables.rejected.append(r);
          if (warned++ < 1000) ctx.log('warn', `skipped: ${r.reason}: ${r.message}`, { file: r.file });
          return;
        }
        const h = o.value.header;
        tables.files.append(fileRow(h, hash));
        grouper.add(h, hash);
        patients.add(h.patientId);
      });
    } finally {
      tables.files.close();
      tables.rejected.close();
    }
    tally.throwIfAny();
    const fileCount = tables.files.rows;
    const rejected = tables.rejected.rows;
    if (rejected > 1000) ctx.log('warn', `${rejected - 1000} more files skipped (see rejected.arrow, or \`glioflow export index\`)`);

    const series = new ArrowTableWriter(join(ctx.scratchDir, INDEX_TABLES.series), SERIES_COLUMNS);
    const slices = new ArrowTableWriter(join(ctx.scratchDir, INDEX_TABLES.slices), SLICE_COLUMNS);
    try {
      for (const s of grouper.series()) {
        series.append({ series: s.id, patient: s.patientId, study_uid: s.studyUid, series_uid: s.seriesUid, description: s.description, sequence: s.sequence, plane: s.plane, rows: s.rows, columns: s.columns, slices: s.slices.length });
        s.slices.forEach((sl, i) => slices.append({ series: s.id, file: sl.file, frame: sl.frame, position: sl.along, index: i, hash: s.extras[i] ?? '' }));
      }
    } finally {
      series.close();
      slices.close();
    }
    for (const file of Object.values(INDEX_TABLES)) await ctx.writeOutputFile(file, join(ctx.scratchDir, file));
    const out: IndexOutput = { root: dep, patients: [...patients].sort(), counts: { files: fileCount, series: series.rows, slices: slices.rows, rejected }, tables: INDEX_TABLES };
    ctx.log('info', `${fileCount} DICOM files, ${series.rows} series, ${out.patients.length} patients; ${rejected} files skipped`);
    ctx.record('files', fileCount);
    ctx.record('rejected', rejected);
    await ctx.writeOutput('index.json', JSON.stringify(out));
  },
  async export(outputs, dir, format) {
    if (format === 'arrow') return copyTables((o) => outputs.path(o), dir, Object.values(INDEX_TABLES));
    const written: string[] = [];
    const fileColumns = ['file', 'patient', 'study_uid', 'series_uid', 'sop_uid', 'series_number', 'instance_number', 'description', 'modality', 'position', 'orientation', 'plane', 'rows', 'columns', 'pixel_spacing', 'frames', 'bits_allocated', 'bits_stored', 'signed', 'rescale_slope', 'rescale_intercept', 'transfer_syntax', 'tr', 'te', 'ti', 'contrast_agent'] as const;
    written.push(await exportTable({ path: outputs.path(INDEX_TABLES.files), columns: FILE_COLUMNS, what: 'the index files table' }, dir, 'files.csv', fileColumns, (r) => fileColumns.map((c) => r[c])));
    // slices.csv has series fields: series.arrow is one row per series, small enough to hold
    const seriesOf = new Map<string, { patient: string; sequence: string; plane: string; description: string }>();
    const seriesCsv = new CsvFileWriter(dir, 'series.csv', ['series', 'patient', 'study_uid', 'series_uid', 'description', 'sequence', 'plane', 'rows', 'columns', 'slices']);
    for await (const batch of readTableBatches(outputs.path(INDEX_TABLES.series), SERIES_COLUMNS, 'the index series table')) {
      for (const s of batch) seriesOf.set(s.series, s);
      seriesCsv.write(batch.map((s) => [s.series, s.patient, s.study_uid, s.series_uid, s.description, s.sequence, s.plane, s.rows, s.columns, s.slices]));
    }
    const seriesFile = seriesCsv.close();
    const slicesCsv = new CsvFileWriter(dir, 'slices.csv', ['file', 'frame', 'patient', 'series', 'sequence', 'plane', 'description', 'index', 'position']);
    for await (const batch of readTableBatches(outputs.path(INDEX_TABLES.slices), SLICE_COLUMNS, 'the index slices table')) {
      slicesCsv.write(
        batch.map((sl) => {
          const s = seriesOf.get(sl.series);
          return [sl.file, sl.frame, s?.patient ?? null, sl.series, s?.sequence ?? null, s?.plane ?? null, s?.description ?? null, sl.index, sl.position];
        }),
      );
    }
    written.push(slicesCsv.close(), seriesFile);
    written.push(await exportTable({ path: outputs.path(INDEX_TABLES.rejected), columns: REJECTED_COLUMNS, what: 'the index rejected table' }, dir, 'rejected.csv', ['file', 'reason', 'message'], (r) => [r.file, r.reason, r.message]));
    return written;
  },
});

function fileRow(h: SliceHeader, hash: string): Parameters<ArrowTableWriter<typeof FILE_COLUMNS>['append']>[0] {
  return {
    file: h.file,
    hash,
    patient: h.patientId,
    study_uid: h.studyUid,
    series_uid: h.seriesUid,
    sop_uid: h.sopUid,
    series_number: h.seriesNumber,
    instance_number: h.instanceNumber,
    description: h.seriesDescription,
    modality: h.modality,
    position: vectorText(h.position),
    orientation: vectorText(h.orientation),
    plane: h.plane,
    rows: h.rows,
    columns: h.columns,
    pixel_spacing: vectorText(h.pixelSpacing),
    frames: h.frames,
    bits_allocated: h.bitsAllocated,
    bits_stored: h.bitsStored,
    signed: h.pixelRepresentation,
    samples_per_pixel: h.samplesPerPixel,
    photometric: h.photometric,
    rescale_slope: h.rescaleSlope,
    rescale_intercept: h.rescaleIntercept,
    transfer_syntax: h.transferSyntax,
    tr: h.repetitionTime,
    te: h.echoTime,
    ti: h.inversionTime,
    contrast_agent: h.contrastAgent,
    scanning_sequence: h.scanningSequence,
  };
}
