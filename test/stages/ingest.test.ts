// The ingest stages on a synthetic cohort: a new patient is the only work of the next run, and
// the cluster export has the columns researchers read.
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import dicomParser from 'dicom-parser';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCohort, type CohortSummary } from '../../src/synth/index.js';
import { statusOf, TestProject } from '../engine/helpers.js';
import { walkFiles } from '../reliability/helpers.js';

const PIPELINE = `stages:
  index: { uses: index, deps: [raw] }
  ratios: { uses: ratios, needs: [index] }
  cluster: { uses: cluster, needs: [index, ratios], params: { keep: not-highest } }
  labels: { uses: labels, needs: [index], deps: [labels.csv] }
  tensorize: { uses: tensorize, needs: [cluster, labels], params: { size: 32, test: 0.2, val: 0.2 } }
`;

describe('ingest stages on a synthetic cohort', () => {
  const p = new TestProject('glioflow-ingest-');
  let cohort: CohortSummary;
  const source = mkdtempSync(join(tmpdir(), 'glioflow-cohort-'));

  beforeAll(async () => {
    cohort = await generateCohort(source, { patients: 6, seed: 3, size: 32, slicesPerSeries: 10 });
    const patients = readdirSync(cohort.mriDir).sort();
    for (const patient of patients.slice(0, 5)) cpSync(join(cohort.mriDir, patient), join(p.dir, 'raw', patient), { recursive: true });
    p.write('labels.csv', readFileSync(cohort.labelsPath, 'utf8'));
    p.write('pipeline.yaml', PIPELINE);
  });

  it('indexes every file, and tensorizes the kept slices of matched patients', () => {
    const { summary } = p.run();
    expect(summary.ok).toBe(true);
    const filesOf5 = cohort.patients.slice(0, 5).reduce((n, pt) => n + pt.series.reduce((m, s) => m + s.files.length, 0), 0);
    expect(summary.stages.find((s) => s.name === 'index')?.items).toEqual({ total: filesOf5, ran: filesOf5, cached: 0 });
    expect(summary.stages.find((s) => s.name === 'ratios')?.items.total).toBe(5 * 7);
  });

  it('parses and computes only the added patient on the next run', () => {
    const sixth = readdirSync(cohort.mriDir).sort()[5] as string;
    cpSync(join(cohort.mriDir, sixth), join(p.dir, 'raw', sixth), { recursive: true });
    const added = cohort.patients[5]?.series.reduce((m, s) => m + s.files.length, 0) ?? 0;
    const { summary } = p.run();
    expect(summary.ok).toBe(true);
    expect(summary.stages.find((s) => s.name === 'index')?.items).toMatchObject({ ran: added, cached: summary.stages[0]?.items.total ? summary.stages[0].items.total - added : 0 });
    expect(summary.stages.find((s) => s.name === 'ratios')?.items).toMatchObject({ total: 42, ran: 7, cached: 35 });
    // tensorize reuses every series but the new patient's six selected ones (T1, T1post×2, T2, FLAIR, SAG T1)
    expect(summary.stages.find((s) => s.name === "tensorize")?.items).toMatchObject({ ran: 6 });
    expect(statusOf(summary)).toMatchObject({ index: 'ran', ratios: 'ran', cluster: 'ran', labels: 'ran', tensorize: 'ran' });
  });

  it('exports the cluster table with one row per slice and the documented columns', () => {
    const out = join(p.dir, 'export');
    const r = p.cli(['export', 'cluster', out]);
    expect(r.code).toBe(0);
    const [header, ...rows] = readFileSync(join(out, 'cluster.csv'), 'utf8').trim().split('\n');
    expect(header).toBe('file,frame,patient,series,sequence,plane,ratio,cluster_rank,kept');
    expect(rows).toHaveLength(6 * 7 * 10);
    const kept = rows.filter((r) => r.endsWith(',1'));
    expect(kept.length).toBeGreaterThan(0);
    // each file: a path below the raw root, in its patient's folder, that exists
    const files = rows.map((r) => r.split(','));
    const outside = files.filter(([file, , patient]) => !(file ?? '').startsWith(`${patient}/`) || !existsSync(join(p.dir, 'raw', file ?? '')));
    expect(outside.map((f) => f[0])).toEqual([]);
    const planes = new Set(rows.map((r) => r.split(',')[5]));
    expect(planes).toEqual(new Set(['axial', 'sagittal', 'coronal']));
    const seqs = new Set(rows.map((r) => r.split(',')[4]));
    expect(seqs).toEqual(new Set(['T1', 'T1post', 'T2', 'FLAIR', 'other']));
  });

  it('exports splits with no patient in two splits', () => {
    const out = join(p.dir, 'export-t');
    expect(p.cli(['export', 'tensorize', out]).code).toBe(0);
    const rows = readFileSync(join(out, 'splits.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r[0])).size).toBe(6);
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['train', 'val', 'test']));
  });
});

/** Overwrites PatientName in place (same length, space-padded); false where the dataset is deflated or has none. */
function nameFile(file: string, name: string): boolean {
  const bytes = readFileSync(file);
  const ds = dicomParser.parseDicom(bytes);
  const el = ds.elements['x00100010'];
  if (ds.string('x00020010') === '1.2.840.10008.1.2.1.99' || !el || el.length < name.length) return false;
  bytes.write(name.padEnd(el.length, ' '), el.dataOffset, 'latin1');
  writeFileSync(file, bytes);
  return true;
}

describe('index export', () => {
  it('lists every file with its geometry and encoding, and nothing identifying', async () => {
    const source = mkdtempSync(join(tmpdir(), 'glioflow-cohort-'));
    const cohort = await generateCohort(source, { patients: 2, seed: 5, size: 16, slicesPerSeries: 4 });
    const p = new TestProject('glioflow-index-export-');
    cpSync(cohort.mriDir, join(p.dir, 'raw'), { recursive: true });
    // the synthetic PatientName is the patient ID: give the files a name that is nowhere else, to look for it below
    const named = [...walkFiles(join(p.dir, 'raw'))].filter((f) => nameFile(f, 'DOE^JANE'));
    expect(named.length).toBeGreaterThan(0);
    p.write('pipeline.yaml', 'stages:\n  index: { uses: index, deps: [raw] }\n');
    expect(p.run().summary.ok).toBe(true);
    expect(p.cli(['export', 'index', join(p.dir, 'out')]).code).toBe(0);
    const [header, ...rows] = readFileSync(join(p.dir, 'out', 'files.csv'), 'utf8').trim().split('\n');
    expect(header).toBe('file,patient,study_uid,series_uid,sop_uid,series_number,instance_number,description,modality,position,orientation,plane,rows,columns,pixel_spacing,frames,bits_allocated,bits_stored,signed,rescale_slope,rescale_intercept,transfer_syntax,tr,te,ti,contrast_agent');
    expect(rows).toHaveLength(cohort.fileCount);
    const syntaxes = new Set(rows.map((r) => r.split(',')[21]));
    expect(syntaxes.size).toBeGreaterThan(1);
    expect(readFileSync(join(p.dir, 'out', 'files.csv'), 'utf8')).not.toContain('DOE^JANE');
  });
});

describe('labels stage', () => {
  it('names the file and the columns present when a gene column is missing, and takes gene_columns', async () => {
    const source = mkdtempSync(join(tmpdir(), 'glioflow-cohort-'));
    const cohort = await generateCohort(source, { patients: 2, seed: 6, size: 16, slicesPerSeries: 4 });
    const p = new TestProject('glioflow-labels-');
    cpSync(cohort.mriDir, join(p.dir, 'raw'), { recursive: true });
    const [head, ...rows] = readFileSync(cohort.labelsPath, 'utf8').trim().split('\n');
    p.write('labels.csv', [(head ?? '').replace('EGFR', 'col_c'), ...rows].join('\n'));
    p.write('pipeline.yaml', 'stages:\n  index: { uses: index, deps: [raw] }\n  labels: { uses: labels, needs: [index], deps: [labels.csv] }\n');
    const failed = p.run();
    expect(failed.summary.ok).toBe(false);
    expect(failed.summary.stages.find((s) => s.name === 'index')?.status).toBe('ran'); // the rest of the run went on
    expect(failed.result.stderr).toMatch(/labels\.csv:1: gene column EGFR does not exist; columns are .*"col_c"/);
    p.write('pipeline.yaml', 'stages:\n  index: { uses: index, deps: [raw] }\n  labels: { uses: labels, needs: [index], deps: [labels.csv], params: { gene_columns: { EGFR: col_c } } }\n');
    const ok = p.run();
    expect(ok.summary.ok).toBe(true);
    const out = join(p.dir, 'out');
    expect(p.cli(['export', 'labels', out]).code).toBe(0);
    expect(readFileSync(join(out, 'matched.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
  });
});
