import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCohort, LABELS, PREVALENCE, TRANSFER_SYNTAX, type CohortSummary } from '../../src/synth/index.js';
import { auroc, readSlice, type ReadSlice } from './read-dicom.js';

const tmp = mkdtempSync(join(tmpdir(), 'glioflow-synth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

function treeHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of listFiles(dir)) h.update(relative(dir, f)).update('\0').update(readFileSync(f));
  return h.digest('hex');
}

const cross = (a: number[], b: number[]): number[] => [
  a[1]! * b[2]! - a[2]! * b[1]!,
  a[2]! * b[0]! - a[0]! * b[2]!,
  a[0]! * b[1]! - a[1]! * b[0]!,
];

describe('generateCohort: files, layout, headers', () => {
  const options = { patients: 6, seed: 11, size: 32, slicesPerSeries: 10 };
  let summary: CohortSummary;
  let slices: Map<string, ReadSlice>;
  beforeAll(async () => {
    summary = await generateCohort(join(tmp, 'a'), options);
    slices = new Map(summary.files.map((f) => [f, readSlice(join(summary.outDir, f))]));
  });

  it('writes every file it reports, in the NBIA Data Retriever layout', () => {
    const onDisk = listFiles(summary.mriDir).map((f) => relative(summary.outDir, f));
    expect(onDisk).toEqual([...summary.files].sort());
    expect(summary.fileCount).toBe(options.patients * 7 * options.slicesPerSeries);
    expect(summary.seriesCount).toBe(options.patients * 7);
    const layout = new RegExp(
      String.raw`^mri/TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}/\d{2}-\d{2}-\d{4}-[^/]+-\d{5}/\d+\.000000-[^/]+-\d{5}/1-\d{2}\.dcm$`,
    );
    for (const f of summary.files) expect(f.split(sep).join('/')).toMatch(layout);
  });

  it('every file parses with dicom-parser and agrees with its folder and the summary', () => {
    for (const p of summary.patients) {
      expect(p.patientId).toMatch(/^TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}$/);
      for (const s of p.series) {
        expect(s.dir.split(sep).join('/')).toContain(`/${s.seriesNumber}.000000-${s.description}-`);
        for (const [i, f] of s.files.entries()) {
          const d = slices.get(f)!;
          expect(d.patientId).toBe(p.patientId);
          expect(d.seriesDescription).toBe(s.description);
          expect(d.seriesInstanceUid).toBe(s.seriesInstanceUid);
          expect(d.transferSyntax).toBe(s.transferSyntax);
          expect(d.instanceNumber).toBe(i + 1);
          expect([d.rows, d.columns]).toEqual([options.size, options.size]);
          expect(d.pixelRepresentation).toBe(s.pixelRepresentation);
          expect(d.slope).toBe(s.rescaleSlope);
          expect(d.intercept).toBe(s.rescaleIntercept);
        }
      }
    }
  });

  it('mixes transfer syntaxes, signed/unsigned storage and non-trivial rescale', () => {
    const all = [...slices.values()];
    expect(new Set(all.map((d) => d.transferSyntax))).toEqual(new Set(Object.values(TRANSFER_SYNTAX)));
    expect(new Set(all.map((d) => d.pixelRepresentation))).toEqual(new Set([0, 1]));
    expect(all.some((d) => d.slope !== 1 && d.intercept !== 0 && d.pixelRepresentation === 1)).toBe(true);
    expect(all.some((d) => d.slope !== 1 && d.pixelRepresentation === 0)).toBe(true);
  });

  it('series have the planes they claim: orientation, slice normal and positions agree', () => {
    const expectedNormalAxis = { axial: 2, sagittal: 0, coronal: 1 } as const;
    const descriptions = new Set<string>();
    for (const s of summary.patients[0]!.series) {
      descriptions.add(s.description);
      const ds = s.files.map((f) => slices.get(f)!);
      const iop = ds[0]!.orientation;
      const normal = cross(iop.slice(0, 3), iop.slice(3, 6));
      const axis = normal.findIndex((v) => Math.abs(v) > 0.99);
      expect(axis, s.description).toBe(expectedNormalAxis[s.plane]);
      expect(s.description.startsWith({ axial: 'AX', sagittal: 'SAG', coronal: 'COR' }[s.plane])).toBe(true);
      // Consecutive positions step along the normal by a constant spacing, nothing in-plane.
      const steps = ds.slice(1).map((d, i) => d.position.map((v, k) => v - ds[i]!.position[k]!));
      for (const st of steps) {
        const along = st[0]! * normal[0]! + st[1]! * normal[1]! + st[2]! * normal[2]!;
        expect(along).toBeCloseTo(Math.hypot(...st), 6);
        expect(along).toBeCloseTo(steps[0]![0]! * normal[0]! + steps[0]![1]! * normal[1]! + steps[0]![2]! * normal[2]!, 3);
      }
      // Sequence parameters: contrast agent only post contrast; inversion time only on FLAIR.
      expect(ds[0]!.contrastAgent !== undefined).toBe(s.sequence === 'T1POST');
      expect(ds[0]!.inversionTime !== undefined).toBe(s.sequence === 'FLAIR');
      if (s.sequence === 'T1' || s.sequence === 'T1POST') expect(ds[0]!.repetitionTime).toBeLessThan(800);
      if (s.sequence === 'T2' || s.sequence === 'FLAIR') expect(ds[0]!.repetitionTime).toBeGreaterThan(2500);
    }
    for (const d of ['AX T1', 'AX T1 POST GD', 'AX T2 FSE', 'AX FLAIR', 'SAG T1', 'COR T1 POST', 'AX DTI 25 DIR']) {
      expect(descriptions.has(d), d).toBe(true);
    }
  });

  it('edge slices are background, middle slices are head', () => {
    for (const s of summary.patients[0]!.series) {
      const ds = s.files.map((f) => slices.get(f)!);
      const maxOf = (d: ReadSlice) => d.physical.reduce((m, v) => Math.max(m, v), -Infinity);
      const headLevel = maxOf(ds[Math.floor(ds.length / 2)]!);
      expect(headLevel, s.description).toBeGreaterThan(300);
      // Only background noise (a few units) on the first and last slice.
      expect(maxOf(ds[0]!), s.description).toBeLessThan(0.1 * headLevel);
      expect(maxOf(ds[ds.length - 1]!), s.description).toBeLessThan(0.1 * headLevel);
    }
  });

  it('labels.csv has the patients and the planned prevalence of every label', () => {
    const lines = readFileSync(summary.labelsPath, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('patient_id,TP53,PTEN,EGFR,IDH');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(summary.patients.map((p) => p.patientId));
    for (const [k, label] of LABELS.entries()) {
      const column = lines.slice(1).map((l) => Number(l.split(',')[k + 1]));
      expect(column.every((v) => v === 0 || v === 1)).toBe(true);
      const n = options.patients;
      expect(column.filter((v) => v === 1).length, label).toBe(Math.min(n - 1, Math.max(1, Math.round(PREVALENCE[label] * n))));
    }
  });

  it('is byte-for-byte deterministic for the same options, and the seed matters', async () => {
    const again = await generateCohort(join(tmp, 'b'), options);
    expect(again.files).toEqual(summary.files);
    expect(treeHash(join(tmp, 'b'))).toBe(treeHash(join(tmp, 'a')));
    await generateCohort(join(tmp, 'c'), { ...options, seed: 12 });
    expect(treeHash(join(tmp, 'c'))).not.toBe(treeHash(join(tmp, 'a')));
  });

  const dcmdump = '/usr/bin/dcmdump';
  it.skipIf(!existsSync(dcmdump))('dcmtk dcmdump reads one file of every transfer syntax without errors', () => {
    const names: Record<string, string> = {
      [TRANSFER_SYNTAX.implicitLittle]: 'Little Endian Implicit',
      [TRANSFER_SYNTAX.explicitLittle]: 'Little Endian Explicit',
      [TRANSFER_SYNTAX.explicitBig]: 'Big Endian Explicit',
      [TRANSFER_SYNTAX.deflatedExplicitLittle]: 'Deflated Explicit VR Little Endian',
    };
    for (const [ts, name] of Object.entries(names)) {
      const file = summary.files.find((f) => slices.get(f)!.transferSyntax === ts)!;
      const out = execFileSync(dcmdump, ['-E', join(summary.outDir, file)], { encoding: 'utf8' });
      expect(out).toContain(`# Used TransferSyntax: ${name}`);
      expect(out).toContain('(0010,0020) LO [TCGA-');
      expect(out).toMatch(/\(7fe0,0010\) OW/);
    }
  });
  if (!existsSync(dcmdump)) console.warn('skipping dcmdump check: /usr/bin/dcmdump not present');
});

describe('generateCohort: planted signal', () => {
  const options = { patients: 24, seed: 5, size: 32, slicesPerSeries: 12 };

  /** Per patient: brightest value of the post-contrast series relative to its typical head tissue. */
  function enhancement(summary: CohortSummary): number[] {
    return summary.patients.map((p) => {
      let ratio = 0;
      for (const s of p.series.filter((x) => x.sequence === 'T1POST')) {
        const values: number[] = [];
        for (const f of s.files) for (const v of readSlice(join(summary.outDir, f)).physical) values.push(v);
        const head = values.filter((v) => v > 50).sort((a, b) => a - b);
        const median = head[Math.floor(head.length / 2)]!;
        ratio = Math.max(ratio, head[head.length - 1]! / median);
      }
      return ratio;
    });
  }

  it('TP53 (strongest) is separated by a simple image statistic: AUROC >= 0.9', async () => {
    const summary = await generateCohort(join(tmp, 'signal'), options);
    const score = enhancement(summary);
    const a = auroc(score, summary.patients.map((p) => p.labels.TP53));
    console.log(`TP53 AUROC of post-contrast enhancement statistic: ${a.toFixed(3)}`);
    expect(a).toBeGreaterThanOrEqual(0.9);
  });

  it("noiseLabel 'TP53' decouples the label from the images (the feature is still drawn)", async () => {
    const summary = await generateCohort(join(tmp, 'noise'), { ...options, noiseLabel: 'TP53' });
    const score = enhancement(summary);
    const vsLabel = auroc(score, summary.patients.map((p) => p.labels.TP53));
    const vsImage = auroc(score, summary.patients.map((p) => (p.imageTraits.TP53 ? 1 : 0)));
    console.log(`noise TP53: AUROC vs label ${vsLabel.toFixed(3)}, vs hidden image trait ${vsImage.toFixed(3)}`);
    expect(vsImage).toBeGreaterThanOrEqual(0.9);
    expect(vsLabel).toBeGreaterThan(0.2);
    expect(vsLabel).toBeLessThan(0.8);
    // Other labels keep their meaning.
    for (const p of summary.patients) expect(p.imageTraits.PTEN).toBe(p.labels.PTEN === 1);
  });
});

describe('generateCohort on several threads', () => {
  it('writes the same bytes as on one thread', async () => {
    const options = { patients: 5, seed: 13, size: 16, slicesPerSeries: 3 };
    const one = await generateCohort(join(tmp, 'one-thread'), options);
    const two = await generateCohort(join(tmp, 'two-threads'), options, { workers: 2 });
    expect(treeHash(two.mriDir)).toBe(treeHash(one.mriDir));
    expect(two.files).toEqual(one.files);
    expect(two.patients.map((p) => p.patientId)).toEqual(one.patients.map((p) => p.patientId));
  });
});
