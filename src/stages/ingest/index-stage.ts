// `index`: every file under the raw root → DICOM headers (items = files: an unchanged file is
// never parsed again), grouped into series stacks; unusable files recorded with their reason.
import { defineStage, type Item } from '../../engine/stage-api.js';
import { hashParts } from '../../engine/hash.js';
import { succeededItems } from '../item-failures.js';
import { siblingModule } from '../module-url.js';
import { writeCsv } from '../tables.js';
import type { IndexOutput, RejectedFile } from './types.js';
import type { SliceHeader } from '../../dicom/index.js';

const items = siblingModule('index-items', import.meta.url);

export default defineStage({
  name: 'index',
  description: 'DICOM headers of every file under the raw root, grouped into series stacks',
  version: 1,
  params: {},
  async run(ctx) {
    const { groupIntoSeries } = await import('../../dicom/index.js');
    const files = await ctx.depFiles();
    const root = ctx.deps[0];
    if (!root || files.length === 0) throw new Error(`no files under ${ctx.deps[0] ?? 'the raw root'}: put DICOM files there (one folder per patient)`);
    const work: Item<{ path: string; relative: string }>[] = files.map((f) => ({ id: f.relative, hash: hashParts([f.relative, f.hash]), input: { path: f.path, relative: f.relative } }));
    const outcomes = await ctx.mapItems<{ path: string; relative: string }, { header: SliceHeader } | { rejected: RejectedFile }>(work, { kind: 'worker', module: items, fn: 'indexFile', params: null }, { unit: 'files' });
    const out: IndexOutput = { root: files[0]?.dep ?? '', files: [], series: [], rejected: [], patients: [] };
    const hashOf = new Map(files.map((f) => [f.relative, f.hash]));
    for (const o of succeededItems(ctx.stage, outcomes, 'files')) {
      if ('header' in o.value) out.files.push({ header: o.value.header, hash: hashOf.get(o.value.header.file) ?? '' });
      else out.rejected.push(o.value.rejected);
    }
    out.series = groupIntoSeries(out.files.map((f) => f.header));
    out.patients = [...new Set(out.files.map((f) => f.header.patientId))].sort();
    for (const r of out.rejected) ctx.log('warn', `skipped: ${r.reason}: ${r.message}`, { file: r.file });
    ctx.log('info', `${out.files.length} DICOM files, ${out.series.length} series, ${out.patients.length} patients; ${out.rejected.length} files skipped`);
    ctx.record('files', out.files.length);
    ctx.record('rejected', out.rejected.length);
    await ctx.writeOutput('index.json', JSON.stringify(out));
  },
  async export(outputs, dir) {
    const index = await outputs.readJson<IndexOutput>('index.json');
    const slices = index.series.flatMap((s) => s.slices.map((sl, i) => [sl.file, sl.frame, s.patientId, s.id, s.sequence, s.plane, s.description, i, sl.along]));
    const num = (v: readonly number[] | null): string | null => (v ? v.join('\\') : null);
    const fileColumns = ['file', 'patient', 'study_uid', 'series_uid', 'sop_uid', 'series_number', 'instance_number', 'description', 'modality', 'position', 'orientation', 'plane', 'rows', 'columns', 'pixel_spacing', 'frames', 'bits_allocated', 'bits_stored', 'signed', 'rescale_slope', 'rescale_intercept', 'transfer_syntax', 'tr', 'te', 'ti', 'contrast_agent'];
    const fileRows = index.files.map(({ header: h }) => [h.file, h.patientId, h.studyUid, h.seriesUid, h.sopUid, h.seriesNumber, h.instanceNumber, h.seriesDescription, h.modality, num(h.position), num(h.orientation), h.plane, h.rows, h.columns, num(h.pixelSpacing), h.frames, h.bitsAllocated, h.bitsStored, h.pixelRepresentation, h.rescaleSlope, h.rescaleIntercept, h.transferSyntax, h.repetitionTime, h.echoTime, h.inversionTime, h.contrastAgent]);
    return [
      await writeCsv(dir, 'files.csv', fileColumns, fileRows),
      await writeCsv(dir, 'slices.csv', ['file', 'frame', 'patient', 'series', 'sequence', 'plane', 'description', 'index', 'position'], slices),
      await writeCsv(dir, 'series.csv', ['series', 'patient', 'study_uid', 'series_uid', 'description', 'sequence', 'plane', 'rows', 'columns', 'slices'], index.series.map((s) => [s.id, s.patientId, s.studyUid, s.seriesUid, s.description, s.sequence, s.plane, s.rows, s.columns, s.slices.length])),
      await writeCsv(dir, 'rejected.csv', ['file', 'reason', 'message'], index.rejected.map((r) => [r.file, r.reason, r.message])),
    ];
  },
});
