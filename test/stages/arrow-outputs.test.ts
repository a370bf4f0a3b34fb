// Stage outputs that grow with the cohort (one row per file, slice or series) are Arrow IPC tables, never JSON: a
// million files as one JSON string would pass V8's longest string. Each such output is read here with apache-arrow,
// and the JSON outputs left are checked to be summaries that do not grow with the files.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCohort, type CohortSummary } from '../../src/synth/index.js';
import { TestProject } from '../engine/helpers.js';

const PIPELINE = `stages:
  index: { uses: index, deps: [raw] }
  ratios: { uses: ratios, needs: [index] }
  cluster: { uses: cluster, needs: [index, ratios], params: { keep: not-highest } }
`;

/** Every output that grows with the cohort, with the rows it must hold. */
const TABLES: Record<string, { stage: string; rows: (c: CohortSummary) => number; columns: string[] }> = {
  'files.arrow': { stage: 'index', rows: (c) => c.fileCount, columns: ['file', 'hash', 'patient', 'series_uid', 'position', 'transfer_syntax'] },
  'series.arrow': { stage: 'index', rows: (c) => c.seriesCount, columns: ['series', 'patient', 'sequence', 'plane', 'slices'] },
  'slices.arrow': { stage: 'index', rows: (c) => c.fileCount, columns: ['series', 'file', 'frame', 'position', 'index', 'hash'] },
  'rejected.arrow': { stage: 'index', rows: () => 1, columns: ['file', 'reason', 'message'] },
  'ratios.arrow': { stage: 'ratios', rows: (c) => c.fileCount, columns: ['series', 'file', 'frame', 'ratio', 'threshold', 'error'] },
  'cluster.arrow': { stage: 'cluster', rows: (c) => c.fileCount, columns: ['file', 'frame', 'patient', 'series', 'sequence', 'plane', 'ratio', 'cluster_rank', 'kept'] },
  'selected.arrow': { stage: 'cluster', rows: () => -1, columns: ['series', 'file', 'frame', 'hash', 'index'] },
  'skipped.arrow': { stage: 'cluster', rows: () => -1, columns: ['series', 'reason'] },
};

describe('stage outputs that grow with the cohort', () => {
  const p = new TestProject('glioflow-arrow-outputs-');
  let cohort: CohortSummary;
  let outputs: Record<string, Record<string, { hash: string; size: number }>>;

  beforeAll(async () => {
    const source = mkdtempSync(join(tmpdir(), 'glioflow-cohort-'));
    cohort = await generateCohort(source, { patients: 2, seed: 4, size: 16, slicesPerSeries: 4 });
    cpSync(cohort.mriDir, join(p.dir, 'raw'), { recursive: true });
    p.write('raw/notes.txt', 'not a DICOM file'); // one rejected file
    p.write('pipeline.yaml', PIPELINE);
    expect(p.run().summary.ok).toBe(true);
    const lock = JSON.parse(p.read('pipeline.lock')) as { stages: Record<string, { outputs: Record<string, { hash: string; size: number }> }> };
    outputs = Object.fromEntries(Object.entries(lock.stages).map(([name, s]) => [name, s.outputs]));
  });

  const object = (hash: string): Buffer => readFileSync(join(p.dir, 'cache', 'objects', hash.slice(0, 2), hash.slice(2)));

  it('are Arrow IPC files, read with apache-arrow, with a row per file, slice or series', () => {
    for (const [name, t] of Object.entries(TABLES)) {
      const ref = outputs[t.stage]?.[name];
      expect(ref, `${t.stage} has an output ${name}`).toBeDefined();
      const bytes = object(ref?.hash ?? '');
      expect(bytes.subarray(0, 6).toString('latin1'), name).toBe('ARROW1'); // the IPC file format's magic
      const table = tableFromIPC(bytes);
      for (const column of t.columns) expect(table.schema.fields.map((f) => f.name), name).toContain(column);
      const rows = t.rows(cohort);
      if (rows >= 0) expect(table.numRows, name).toBe(rows);
    }
    const selected = tableFromIPC(object(outputs['cluster']?.['selected.arrow']?.hash ?? ''));
    expect(selected.numRows).toBeGreaterThan(0);
    expect(selected.numRows).toBeLessThan(cohort.fileCount);
  });

  it('leaves as JSON only summaries that name no file', () => {
    const json = Object.entries(outputs).flatMap(([stage, o]) => Object.keys(o).filter((n) => !n.endsWith('.arrow')).map((n) => ({ stage, name: n })));
    expect(json.map((j) => j.name).sort()).toEqual(['cluster.json', 'index.json']);
    for (const j of json) {
      const text = object(outputs[j.stage]?.[j.name]?.hash ?? '').toString('utf8');
      expect(text.length, j.name).toBeLessThan(1000);
      expect(text, j.name).not.toContain('.dcm');
    }
  });

  it('export --format arrow gives the tables as they are; CSV has a row per table row', () => {
    const out = join(p.dir, 'export-arrow');
    const r = p.cli(['export', 'index', out, '--format', 'arrow']);
    expect(r.code).toBe(0);
    for (const name of ['files.arrow', 'series.arrow', 'slices.arrow', 'rejected.arrow']) {
      expect(readFileSync(join(out, name)).equals(object(outputs['index']?.[name]?.hash ?? '')), name).toBe(true);
    }
    const csv = join(p.dir, 'export-csv');
    expect(p.cli(['export', 'ratios', csv]).code).toBe(0);
    const lines = readFileSync(join(csv, 'ratios.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('series,file,frame,ratio,threshold,error');
    expect(lines).toHaveLength(cohort.fileCount + 1);
  });
});
