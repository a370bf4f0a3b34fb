// Hostile and broken inputs through the real pipeline stages: every file is handled or rejected
// with a named reason, the run goes on, and nothing is written outside the project's tree.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeDirect, TRANSFER_SYNTAX } from '../../src/synth/dicom-file.js';
import { TestProject } from '../engine/helpers.js';

const SHARED = fileURLToPath(new URL('../../../shared/data/dicom-samples/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/dicom/files/', import.meta.url));

function slice(patientId: string, description: string, rows: number, columns: number, pixels: Int16Array, frames?: number): Buffer {
  return encodeDirect(
    {
      SpecificCharacterSet: 'ISO_IR 100',
      Modality: 'MR',
      SeriesDescription: description,
      PatientID: patientId,
      StudyInstanceUID: '2.25.11',
      SeriesInstanceUID: '2.25.12',
      ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
      ImagePositionPatient: ['0', '0', '0'],
      Rows: rows,
      Columns: columns,
      ...(frames ? { NumberOfFrames: frames } : {}),
      PixelSpacing: ['1', '1'],
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
    },
    { sopInstanceUid: `2.25.${rows}${columns}${frames ?? 1}`, attributes: { InstanceNumber: 1 }, pixels },
    TRANSFER_SYNTAX.explicitLittle,
  );
}

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

describe('bad DICOM input through index → ratios → cluster', () => {
  // the project lives alone in a sandbox folder: anything written beside it escaped the tree
  const outside = mkdtempSync(join(tmpdir(), 'glioflow-sandbox-'));
  const p = new TestProject('project-', outside);

  beforeAll(() => {
    const raw = join(p.dir, 'raw');
    p.write('raw/hostile/empty.dcm', '');
    writeFileSync(join(raw, 'hostile/random.dcm'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    writeFileSync(join(raw, 'hostile/not-dicom.dcm'), 'patient_id,TP53\nTCGA-02-0001,1\n');
    const valid = slice('TCGA-ZZ-0001', 'AX T1', 16, 16, new Int16Array(256).map((_, i) => i));
    writeFileSync(join(raw, 'hostile/cut-pixels.dcm'), valid.subarray(0, valid.length - 200));
    // Rows × Columns far larger than the data, and thousands of frames claimed
    writeFileSync(join(raw, 'hostile/huge-rows.dcm'), slice('TCGA-ZZ-0002', 'AX T1', 30000, 30000, new Int16Array(256)));
    writeFileSync(join(raw, 'hostile/many-frames.dcm'), slice('TCGA-ZZ-0003', 'AX T1', 16, 16, new Int16Array(256), 5000));
    // a PatientID that tries to climb out of the output tree, with control characters
    for (let i = 0; i < 4; i++) writeFileSync(join(raw, `hostile/climb-${i}.dcm`), slice('../../escape\u0001\u0007', 'AX T1', 16, 16, new Int16Array(256).map((_, k) => (k * (i + 3)) % 97)));
    // a description that is not valid UTF-8
    const latin = slice('TCGA-ZZ-0004', 'AX T1 XXXX', 16, 16, new Int16Array(256).map((_, k) => k % 13));
    const at = latin.indexOf('XXXX');
    latin[at] = 0xe9;
    latin[at + 1] = 0xff;
    writeFileSync(join(raw, 'hostile/latin1.dcm'), latin);
    for (const f of readdirSync(FIXTURES)) if (f.endsWith('.dcm')) copyFileSync(join(FIXTURES, f), join(raw, `fixtures-${f}`));
    if (existsSync(SHARED)) symlinkSync(SHARED, join(raw, 'shared-samples'));
    else console.warn(`skipping the shared DICOM samples: ${SHARED} not present`);
    p.write('pipeline.yaml', 'stages:\n  index: { uses: index, deps: [raw] }\n  ratios: { uses: ratios, needs: [index] }\n  cluster: { uses: cluster, needs: [index, ratios], params: { sequences: [all] } }\n');
  });

  it('indexes what it can, rejects the rest with a named reason, and finishes', () => {
    const { summary, result } = p.run();
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(summary.ok).toBe(true);
    const out = join(p.dir, 'export');
    expect(p.cli(['export', 'index', out]).code).toBe(0);
    const rejected = readFileSync(join(out, 'rejected.csv'), 'utf8').trim().split('\n').slice(1);
    const reasonOf = (name: string): string | undefined => rejected.find((r) => r.includes(name))?.split(',')[1];
    expect(reasonOf('hostile/empty.dcm')).toBe('empty');
    expect(reasonOf('hostile/random.dcm')).toBe('not-dicom');
    expect(reasonOf('hostile/not-dicom.dcm')).toBe('not-dicom');
    expect(reasonOf('hostile/cut-pixels.dcm')).toBe('truncated');
    expect(['truncated', 'too-large']).toContain(reasonOf('hostile/huge-rows.dcm'));
    expect(['truncated', 'too-large']).toContain(reasonOf('hostile/many-frames.dcm'));
    expect(reasonOf('fixtures-MR_truncated.dcm')).toBe('truncated');
    for (const r of rejected) expect(r.split(',')[1]).toMatch(/^(empty|not-dicom|truncated|unsupported-syntax|no-pixel-data|too-large|bad-header|decode-failed|not-monochrome)$/);
    if (existsSync(SHARED)) expect(rejected.filter((r) => r.startsWith('shared-samples/')).length).toBeGreaterThan(0);

    const series = readFileSync(join(out, 'series.csv'), 'utf8').trim().split('\n').slice(1);
    const climber = series.find((s) => s.includes('escape'));
    expect(climber, 'the climbing PatientID is kept as data').toBeDefined();
    for (const s of series) expect(s.split(',')[0]).toMatch(/^[A-Za-z0-9._-]+$/); // series ids are safe file names
    expect(series.some((s) => s.includes('AX T1 '))).toBe(true); // the Latin-1 description survived, decoded somehow
  });

  it('writes nothing outside the project tree', () => {
    expect(readdirSync(outside)).toEqual([relative(outside, p.dir)]);
    // and under the project, only what the engine writes
    for (const f of listTree(p.dir)) expect(f).toMatch(/^(raw|cache|export|pipeline\.(yaml|lock)|items\.log)/);
  });
});
