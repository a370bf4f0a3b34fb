// Public data shapes of the DICOM library. Plain data only: a SliceHeader is written to the index as JSON.

export type Plane = 'axial' | 'sagittal' | 'coronal' | 'oblique' | 'unknown';
export type SequenceClass = 'T1' | 'T1post' | 'T2' | 'FLAIR' | 'other';
export type Vec3 = [number, number, number];
export type Orientation = [number, number, number, number, number, number];

/** One DICOM file. Deliberately carries no PatientName, birth date or other identifying tags. */
export interface SliceHeader {
  /** Path relative to the raw root, as given by the caller. */
  file: string;
  patientId: string;
  studyUid: string;
  seriesUid: string;
  sopUid: string;
  seriesNumber: number | null;
  instanceNumber: number | null;
  seriesDescription: string;
  modality: string;
  position: Vec3 | null;
  orientation: Orientation | null;
  plane: Plane;
  rows: number;
  columns: number;
  pixelSpacing: [number, number] | null;
  frames: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  samplesPerPixel: number;
  photometric: string;
  rescaleSlope: number;
  rescaleIntercept: number;
  transferSyntax: string;
  repetitionTime: number | null;
  echoTime: number | null;
  inversionTime: number | null;
  contrastAgent: string | null;
  scanningSequence: string | null;
  /** Per-frame positions of enhanced multi-frame files, when every frame has one. */
  framePositions?: Vec3[];
  /**
   * Per-frame [slope, intercept] of enhanced multi-frame files whose frames are rescaled differently; rescaleSlope and
   * rescaleIntercept then hold frame 0's values.
   */
  frameRescale?: [number, number][];
}

export type DicomRejectionReason =
  | 'empty'
  | 'not-dicom'
  | 'truncated'
  | 'unsupported-syntax'
  | 'no-pixel-data'
  | 'too-large'
  | 'bad-header'
  | 'decode-failed'
  | 'not-monochrome';

export interface DicomRejection {
  reason: DicomRejectionReason;
  message: string;
}

/** The fields classifySequence looks at (a SliceHeader has them all). */
export interface SequenceFields {
  seriesDescription: string;
  repetitionTime: number | null;
  echoTime: number | null;
  inversionTime: number | null;
  contrastAgent: string | null;
  scanningSequence: string | null;
}

export interface SeriesSlice {
  file: string;
  /** Frame index inside the file (0 for single-frame files). */
  frame: number;
  /** Position along the plane normal in mm (dot(position, row × col)); frame/instance order when geometry is missing. */
  along: number;
}

export interface SeriesGroup {
  /** Stable, filesystem-safe and unique among the groups of one call. */
  id: string;
  patientId: string;
  studyUid: string;
  seriesUid: string;
  description: string;
  sequence: SequenceClass;
  plane: Plane;
  rows: number;
  columns: number;
  /** Ordered along the plane normal (ascending). */
  slices: SeriesSlice[];
}

/** Hard caps that protect memory from hostile headers. */
export const LIMITS = {
  /** Most pixels (rows × columns × frames) one file may claim. */
  maxPixelsPerFile: 2 ** 28,
  /** Most bytes an inflated (deflate transfer syntax) data set may grow to. */
  maxInflatedBytes: 2 ** 30,
} as const;
