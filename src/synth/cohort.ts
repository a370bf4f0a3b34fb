// A synthetic, TCGA-GBM-shaped cohort: DICOM MR series per patient in the folder layout of the
// NBIA Data Retriever, and a labels CSV. Mutation labels are planted as image features of the
// tumour (phantom.ts, README.md); one label can be made pure noise. Same options → same bytes.

import { writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GlioflowFailure } from '../engine/result.js';
import { seriesEncoder, TRANSFER_SYNTAX, type Attributes, type TransferSyntaxUid } from './dicom-file.js';
import { makeAnatomy, renderSlice, type Anatomy, type ImageTraits, type Sequence, type SliceGeometry } from './phantom.js';
import { Rng, uidFor } from './rng.js';

export const LABELS = ['TP53', 'PTEN', 'EGFR', 'IDH'] as const;
export type Label = (typeof LABELS)[number];

/**
 * Approximate mutation frequencies in TCGA-GBM (cBioPortal, GBM TCGA PanCancer Atlas; IDH1 R132
 * mutations ~5–7%). Each label's positives are exactly round(p·patients), at least 1 (at least 2
 * when there are 8 or more patients), so every label has positive and negative patients.
 */
export const PREVALENCE: Record<Label, number> = { TP53: 0.3, PTEN: 0.3, EGFR: 0.25, IDH: 0.07 };

export interface CohortOptions {
  patients: number;
  seed: number;
  /** Rows = columns of every image (default 64). */
  size?: number;
  /** Slices per series (default 24). */
  slicesPerSeries?: number;
  /** This label is drawn independently of the images (its planted feature follows a hidden draw). */
  noiseLabel?: Label | null;
}

export interface SeriesSummary {
  seriesNumber: number;
  description: string;
  sequence: Sequence;
  plane: 'axial' | 'sagittal' | 'coronal';
  seriesInstanceUid: string;
  transferSyntax: TransferSyntaxUid;
  pixelRepresentation: 0 | 1;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** Folder of the series, relative to outDir. */
  dir: string;
  /** Files of the series in slice order, relative to outDir. */
  files: string[];
  /** False for the distractor (DTI) series that a pipeline should not train on. */
  structural: boolean;
}

export interface PatientSummary {
  patientId: string;
  labels: Record<Label, 0 | 1>;
  /** What the images show; differs from labels only for the noise label. */
  imageTraits: ImageTraits;
  lesionRadiusMm: number;
  studyDir: string;
  series: SeriesSummary[];
}

export interface CohortSummary {
  outDir: string;
  /** Root of the DICOM tree: outDir/mri. */
  mriDir: string;
  labelsPath: string;
  patients: PatientSummary[];
  patientCount: number;
  seriesCount: number;
  fileCount: number;
  /** Files written, relative to outDir. */
  files: string[];
  options: Required<Omit<CohortOptions, 'noiseLabel'>> & { noiseLabel: Label | null };
}

type Plane = SeriesSummary['plane'];

interface Protocol {
  seriesNumber: number;
  description: string;
  sequence: Sequence;
  plane: Plane;
  /** ms */
  tr: number;
  te: number;
  ti?: number;
  scanningSequence: string;
  sequenceVariant: string;
  echoTrainLength?: number;
  flipAngle: number;
  contrast?: string;
}

/** A typical GE 1.5 T brain tumour protocol of the TCGA-GBM era. */
const PROTOCOL: Protocol[] = [
  { seriesNumber: 2, description: 'SAG T1', sequence: 'T1', plane: 'sagittal', tr: 600, te: 12, scanningSequence: 'SE', sequenceVariant: 'NONE', flipAngle: 90 },
  { seriesNumber: 3, description: 'AX T2 FSE', sequence: 'T2', plane: 'axial', tr: 4000, te: 102, scanningSequence: 'SE', sequenceVariant: 'SK', echoTrainLength: 16, flipAngle: 90 },
  { seriesNumber: 4, description: 'AX FLAIR', sequence: 'FLAIR', plane: 'axial', tr: 9000, te: 140, ti: 2200, scanningSequence: 'SE\\IR', sequenceVariant: 'SK\\OSP', echoTrainLength: 20, flipAngle: 90 },
  { seriesNumber: 5, description: 'AX T1', sequence: 'T1', plane: 'axial', tr: 500, te: 14, scanningSequence: 'SE', sequenceVariant: 'NONE', flipAngle: 90 },
  { seriesNumber: 6, description: 'AX DTI 25 DIR', sequence: 'DTI', plane: 'axial', tr: 8000, te: 85, scanningSequence: 'EP', sequenceVariant: 'NONE', flipAngle: 90 },
  { seriesNumber: 7, description: 'AX T1 POST GD', sequence: 'T1POST', plane: 'axial', tr: 500, te: 14, scanningSequence: 'SE', sequenceVariant: 'NONE', flipAngle: 90, contrast: 'MAGNEVIST' },
  { seriesNumber: 8, description: 'COR T1 POST', sequence: 'T1POST', plane: 'coronal', tr: 550, te: 14, scanningSequence: 'SE', sequenceVariant: 'NONE', flipAngle: 90, contrast: 'MAGNEVIST' },
];

/** Encodings rotate over series so every cohort mixes them. */
const SYNTAXES: TransferSyntaxUid[] = [
  TRANSFER_SYNTAX.explicitLittle,
  TRANSFER_SYNTAX.implicitLittle,
  TRANSFER_SYNTAX.explicitBig,
  TRANSFER_SYNTAX.deflatedExplicitLittle,
];
/** Stored-value conventions: unsigned plain, signed with rescale, unsigned with rescale. */
const STORAGE = [
  { pixelRepresentation: 0, slope: 1, intercept: 0 },
  { pixelRepresentation: 1, slope: 0.5, intercept: -1000 },
  { pixelRepresentation: 0, slope: 2.5, intercept: 16 },
] as const;

const FOV_MM = 240;

/** Unit vectors: rowDir (along columns), colDir (along rows), normal (slice direction). */
const ORIENTATION: Record<Plane, { row: [number, number, number]; col: [number, number, number]; normal: [number, number, number] }> = {
  axial: { row: [1, 0, 0], col: [0, 1, 0], normal: [0, 0, 1] },
  sagittal: { row: [0, 1, 0], col: [0, 0, -1], normal: [-1, 0, 0] },
  coronal: { row: [1, 0, 0], col: [0, 0, -1], normal: [0, 1, 0] },
};

function fail(message: string): never {
  throw new GlioflowFailure({ kind: 'synth-options', message });
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** DS values as short decimal strings (at most 16 characters, as the VR requires). */
function ds(x: number): string {
  const s = String(Number(x.toFixed(4)));
  return s === '-0' ? '0' : s;
}

/** Draws labels with exact per-label positive counts (independent permutations per label). */
function drawLabels(seed: number, n: number, stream: string): Record<Label, 0 | 1>[] {
  const rows = Array.from({ length: n }, () => ({ TP53: 0, PTEN: 0, EGFR: 0, IDH: 0 }) as Record<Label, 0 | 1>);
  for (const label of LABELS) {
    const minimum = n >= 8 ? 2 : 1;
    const positives = Math.min(n - 1, Math.max(minimum, Math.round(PREVALENCE[label] * n)));
    const order = new Rng(seed, stream, label).permutation(n);
    for (let i = 0; i < positives; i++) rows[order[i]!]![label] = 1;
  }
  return rows;
}

/**
 * Writes a synthetic cohort under outDir (outDir/mri/..., outDir/labels.csv) and describes it.
 * outDir/mri is removed first, so the tree holds exactly this cohort. Invalid options throw a
 * GlioflowFailure of kind 'synth-options'; file-system errors propagate as thrown by node.
 */
export async function generateCohort(outDir: string, options: CohortOptions, run: { workers?: number } = {}): Promise<CohortSummary> {
  const size = options.size ?? 64;
  const slices = options.slicesPerSeries ?? 24;
  const noiseLabel = options.noiseLabel ?? null;
  const { patients: n, seed } = options;
  if (!Number.isInteger(n) || n < 2 || n > 9999) fail(`patients must be an integer in [2, 9999], got ${n}`);
  if (!Number.isInteger(seed) || seed < 0) fail(`seed must be a non-negative integer, got ${seed}`);
  if (!Number.isInteger(size) || size < 8 || size > 1024) fail(`size must be an integer in [8, 1024], got ${size}`);
  if (!Number.isInteger(slices) || slices < 3 || slices > 999) fail(`slicesPerSeries must be an integer in [3, 999], got ${slices}`);
  if (noiseLabel !== null && !LABELS.includes(noiseLabel)) fail(`noiseLabel must be one of ${LABELS.join(', ')} or null`);

  const mriDir = join(outDir, 'mri');
  // Start from an empty tree so a smaller cohort never leaves stale files of a bigger one.
  await rm(mriDir, { recursive: true, force: true });
  const labels = drawLabels(seed, n, 'labels');
  // The noise label's image feature follows a second, independent draw with the same prevalence.
  const hidden = drawLabels(seed, n, 'hidden-traits');

  const todo: PatientTask[] = [];
  for (let p = 0; p < n; p++) {
    const lab = labels[p]!;
    const traits: ImageTraits = {
      TP53: (noiseLabel === 'TP53' ? hidden[p]!.TP53 : lab.TP53) === 1,
      PTEN: (noiseLabel === 'PTEN' ? hidden[p]!.PTEN : lab.PTEN) === 1,
      EGFR: (noiseLabel === 'EGFR' ? hidden[p]!.EGFR : lab.EGFR) === 1,
      IDH: (noiseLabel === 'IDH' ? hidden[p]!.IDH : lab.IDH) === 1,
    };
    todo.push({ outDir, seed, p, patientId: `TCGA-S1-${pad(p + 1, 4)}`, traits, size, slices });
  }
  // Each patient's files depend on (seed, patient) only, so patients can be written on several threads: the same
  // bytes (tested), in about 1/threads of the time (creating a file costs the kernel ~0.2–0.4 ms here, more than
  // encoding it).
  const written = (run.workers ?? 1) > 1 ? await writePatientsInParallel(todo, run.workers as number) : await writePatients(todo);
  const patients: PatientSummary[] = [];
  const files: string[] = [];
  for (const [i, t] of todo.entries()) {
    const summary = written[i]!;
    patients.push({ patientId: t.patientId, labels: labels[t.p]!, imageTraits: t.traits, ...summary });
    for (const s of summary.series) files.push(...s.files);
  }

  const labelsPath = join(outDir, 'labels.csv');
  const csv = ['patient_id,TP53,PTEN,EGFR,IDH', ...patients.map((p) => [p.patientId, ...LABELS.map((l) => p.labels[l])].join(','))];
  await writeFile(labelsPath, csv.join('\n') + '\n');

  return {
    outDir,
    mriDir,
    labelsPath,
    patients,
    patientCount: n,
    seriesCount: patients.reduce((s, p) => s + p.series.length, 0),
    fileCount: files.length,
    files,
    options: { patients: n, seed, size, slicesPerSeries: slices, noiseLabel },
  };
}

export interface PatientTask {
  outDir: string;
  seed: number;
  p: number;
  patientId: string;
  traits: ImageTraits;
  size: number;
  slices: number;
}
export type WrittenPatient = Awaited<ReturnType<typeof writePatient>>;

/** Writes these patients one after another (on this thread). */
export async function writePatients(tasks: readonly PatientTask[]): Promise<WrittenPatient[]> {
  const out: WrittenPatient[] = [];
  for (const t of tasks) out.push(await writePatient(t.outDir, t.seed, t.p, t.patientId, t.traits, t.size, t.slices));
  return out;
}

async function writePatientsInParallel(tasks: readonly PatientTask[], workers: number): Promise<WrittenPatient[]> {
  const { Piscina } = await import('piscina');
  const fromSource = import.meta.url.endsWith('.ts'); // tests run the TypeScript: the worker needs tsx's loader
  const pool = new Piscina({
    filename: new URL(fromSource ? './patient-worker.ts' : './patient-worker.js', import.meta.url).href,
    maxThreads: workers,
    minThreads: workers,
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  });
  try {
    const chunk = 4;
    const parts: Promise<WrittenPatient[]>[] = [];
    for (let i = 0; i < tasks.length; i += chunk) parts.push(pool.run(tasks.slice(i, i + chunk)) as Promise<WrittenPatient[]>);
    return (await Promise.all(parts)).flat();
  } finally {
    await pool.destroy();
  }
}

async function writePatient(
  outDir: string,
  seed: number,
  p: number,
  patientId: string,
  traits: ImageTraits,
  size: number,
  slices: number,
): Promise<{ lesionRadiusMm: number; studyDir: string; series: SeriesSummary[] }> {
  const rng = new Rng(seed, 'patient', p);
  const anatomy = makeAnatomy(rng, traits);
  // TCGA-GBM scans date from 1996–2008; a fixed, seed-derived date (never the clock).
  const year = rng.int(1996, 2006);
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  const studyDate = `${year}${pad(month, 2)}${pad(day, 2)}`;
  const studyTime = `${pad(rng.int(7, 18), 2)}${pad(rng.int(0, 59), 2)}${pad(rng.int(0, 59), 2)}`;
  const studyDescription = 'MRI BRAIN WWO CONTRAST';
  const studyDir = join('mri', patientId, `${pad(month, 2)}-${pad(day, 2)}-${year}-${studyDescription}-${pad(rng.int(0, 99999), 5)}`);
  const studyUid = uidFor(seed, 'study', p);
  const frameUid = uidFor(seed, 'frame', p);
  const age = `${pad(rng.int(30, 84), 3)}Y`;
  const sex = rng.next() < 0.6 ? 'M' : 'F';
  const accession = pad(rng.int(0, 99999999), 8);

  const series: SeriesSummary[] = [];
  for (let s = 0; s < PROTOCOL.length; s++) {
    const proto = PROTOCOL[s]!;
    const transferSyntax = SYNTAXES[(p + s) % SYNTAXES.length]!;
    const storage = STORAGE[(p * 2 + s) % STORAGE.length]!;
    const seriesRng = new Rng(seed, 'series', p, s);
    const gain = 800 * seriesRng.uniform(0.85, 1.15);
    const seriesUid = uidFor(seed, 'series', p, s);
    const dir = join(studyDir, `${proto.seriesNumber}.000000-${proto.description}-${pad(seriesRng.int(0, 99999), 5)}`);
    await mkdir(join(outDir, dir), { recursive: true });
    const geometry = seriesGeometry(anatomy, proto.plane, size, slices);
    const seriesTime = `${studyTime.slice(0, 2)}${pad((Number(studyTime.slice(2, 4)) + 3 * s) % 60, 2)}00`;
    const base: Attributes = {
      SpecificCharacterSet: 'ISO_IR 100',
      ImageType: proto.sequence === 'DTI' ? ['ORIGINAL', 'PRIMARY', 'DIFFUSION', 'NONE'] : ['ORIGINAL', 'PRIMARY', 'OTHER'],
      StudyDate: studyDate,
      SeriesDate: studyDate,
      AcquisitionDate: studyDate,
      ContentDate: studyDate,
      StudyTime: studyTime,
      SeriesTime: seriesTime,
      AccessionNumber: accession,
      Modality: 'MR',
      Manufacturer: 'GLIOFLOW SYNTHETIC',
      ManufacturerModelName: 'PHANTOM 1.5T',
      StudyDescription: studyDescription,
      SeriesDescription: proto.description,
      PatientName: patientId,
      PatientID: patientId,
      PatientBirthDate: '',
      PatientSex: sex,
      PatientAge: age,
      PatientIdentityRemoved: 'YES',
      BodyPartExamined: 'BRAIN',
      ScanningSequence: proto.scanningSequence.split('\\'),
      SequenceVariant: proto.sequenceVariant.split('\\'),
      MRAcquisitionType: '2D',
      SliceThickness: ds(geometry.spacing),
      RepetitionTime: ds(proto.tr),
      EchoTime: ds(proto.te),
      InversionTime: proto.ti !== undefined ? ds(proto.ti) : undefined,
      MagneticFieldStrength: '1.5',
      SpacingBetweenSlices: ds(geometry.spacing),
      EchoTrainLength: proto.echoTrainLength,
      FlipAngle: ds(proto.flipAngle),
      ContrastBolusAgent: proto.contrast,
      PatientPosition: 'HFS',
      StudyInstanceUID: studyUid,
      SeriesInstanceUID: seriesUid,
      StudyID: accession.slice(-4),
      SeriesNumber: proto.seriesNumber,
      AcquisitionNumber: 1,
      FrameOfReferenceUID: frameUid,
      ImageOrientationPatient: [...ORIENTATION[proto.plane].row, ...ORIENTATION[proto.plane].col].map((v) => ds(v)),
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: size,
      Columns: size,
      PixelSpacing: [ds(FOV_MM / size), ds(FOV_MM / size)],
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: storage.pixelRepresentation,
      WindowCenter: ds(gain * 0.6),
      WindowWidth: ds(gain * 1.2),
      RescaleIntercept: storage.slope === 1 && storage.intercept === 0 ? undefined : ds(storage.intercept),
      RescaleSlope: storage.slope === 1 && storage.intercept === 0 ? undefined : ds(storage.slope),
      RescaleType: storage.slope === 1 && storage.intercept === 0 ? undefined : 'US',
    };
    const encode = seriesEncoder(base, transferSyntax);
    const seriesFiles: string[] = [];
    for (let i = 0; i < slices; i++) {
      const g = geometry.slices[i]!;
      const physical = renderSlice(anatomy, proto.sequence, g, gain, new Rng(seed, 'slice', p, s, i));
      const stored = storage.pixelRepresentation === 1 ? new Int16Array(physical.length) : new Uint16Array(physical.length);
      const max = storage.pixelRepresentation === 1 ? 32767 : 65535;
      const min = storage.pixelRepresentation === 1 ? -32768 : 0;
      for (let j = 0; j < physical.length; j++) {
        const v = Math.round((physical[j]! - storage.intercept) / storage.slope);
        stored[j] = v < min ? min : v > max ? max : v;
      }
      const sopUid = uidFor(seed, 'sop', p, s, i);
      const bytes = encode({
        sopInstanceUid: sopUid,
        pixels: stored,
        attributes: {
          InstanceNumber: i + 1,
          ImagePositionPatient: g.position.map(ds),
          SliceLocation: ds(g.sliceLocation),
        },
      });
      const file = join(dir, `1-${pad(i + 1, slices >= 100 ? 3 : 2)}.dcm`);
      seriesFiles.push(file);
      // Synchronous: thousands of small files, where a promise file handle per file costs more
      // than the write itself.
      writeFileSync(join(outDir, file), bytes);
    }
    series.push({
      seriesNumber: proto.seriesNumber,
      description: proto.description,
      sequence: proto.sequence,
      plane: proto.plane,
      seriesInstanceUid: seriesUid,
      transferSyntax,
      pixelRepresentation: storage.pixelRepresentation,
      rescaleSlope: storage.slope,
      rescaleIntercept: storage.intercept,
      dir,
      files: seriesFiles,
      structural: proto.sequence !== 'DTI',
    });
  }
  return { lesionRadiusMm: anatomy.lesion.radius, studyDir, series };
}

/**
 * Slice positions along the plane normal, spanning 1.25× the head's extent so the first and
 * last slices miss the head (background only), then cut its edge (transitional), then brain.
 */
function seriesGeometry(
  anat: Anatomy,
  plane: Plane,
  size: number,
  slices: number,
): { spacing: number; slices: (SliceGeometry & { sliceLocation: number })[] } {
  const o = ORIENTATION[plane];
  const axis = o.normal.findIndex((v) => v !== 0);
  const halfExtent = anat.head.a[axis]! * 1.25;
  // Slice centres on a grid anchored at the origin, as scanners prescribe them.
  const spacing = Number(((2 * halfExtent) / (slices - 1)).toFixed(2));
  const ps = FOV_MM / size;
  const first = -spacing * (slices - 1) / 2;
  const out: (SliceGeometry & { sliceLocation: number })[] = [];
  for (let i = 0; i < slices; i++) {
    const d = first + i * spacing; // signed distance along the normal
    // Centre of the slice plane at distance d along the normal, FOV centred on the origin.
    const centre = o.normal.map((v) => v * d) as [number, number, number];
    const position = [0, 1, 2].map(
      (k) => centre[k]! - (ps * (size - 1) / 2) * o.row[k]! - (ps * (size - 1) / 2) * o.col[k]!,
    ) as [number, number, number];
    out.push({ position, rowDir: o.row, colDir: o.col, pixelSpacing: ps, size, sliceLocation: d });
  }
  return { spacing, slices: out };
}
