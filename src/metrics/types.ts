// Shapes of what `evaluate` returns. Everything here is plain JSON: no NaN, no Infinity — a value that
// cannot be computed is `null` with a `reason` a person can read, so results.json never lies silently.

/** Label order everywhere in glioflow. */
import { GENES } from '../labels/types.js';

/** Label order everywhere in glioflow. */
export const LABELS = GENES;
export type LabelName = (typeof LABELS)[number];

export const METRICS = [
  'accuracy',
  'auroc',
  'auprc',
  'balancedAccuracy',
  'sensitivity',
  'specificity',
  'f1',
] as const;
export type MetricName = (typeof METRICS)[number];

/** One prediction row: a slice (its probabilities for each label, in LABELS order) and its truth (0/1). */
export interface EvalRow {
  patient: string;
  sequence: string;
  plane: string;
  probs: readonly number[];
  labels: readonly number[];
}

/**
 * How slice predictions become a patient's prediction.
 * - `mean`: mean of all the patient's slice probabilities.
 * - `sequence-plane`: mean within each (sequence, plane) group first, then the mean of the group means, so a
 *   series with many slices does not outvote one with few.
 */
export type Fusion = 'mean' | 'sequence-plane';

export interface EvaluateOptions {
  /** number of bootstrap resamples (of patients); 0 disables confidence intervals */
  bootstrap: number;
  seed: number;
  fusion: Fusion;
  /** decision threshold for accuracy, sensitivity, specificity, F1, balanced accuracy (default 0.5) */
  threshold?: number;
  /** confidence level of the intervals (default 0.95) */
  confidence?: number;
}

/** A number, or why there is none. */
export type MaybeNumber = { defined: true; value: number } | { defined: false; value: null; reason: string };

/** Percentile bootstrap interval; `used + skipped === resamples`. */
export type ConfidenceInterval =
  | {
      defined: true;
      level: number;
      low: number;
      high: number;
      resamples: number;
      /** resamples in which the metric was defined and entered the percentiles */
      used: number;
      /** resamples in which the metric was undefined (e.g. no positive patient drawn) and were skipped */
      skipped: number;
    }
  | { defined: false; level: number; reason: string; resamples: number; used: number; skipped: number };

export type MetricEstimate =
  | { defined: true; value: number; ci: ConfidenceInterval | null }
  | { defined: false; value: null; reason: string };

/** One point of an ROC curve; `threshold` null is the start (0, 0): above every score. */
export interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number | null;
}

export interface LabelEvaluation {
  label: string;
  /** rows at this level (slices or patients) */
  n: number;
  positives: number;
  negatives: number;
  /** patients behind those rows */
  patients: number;
  positivePatients: number;
  metrics: Record<MetricName, MetricEstimate>;
  /** ROC curve as in sklearn `roc_curve(drop_intermediate=True)`; null when only one class is present */
  roc: RocPoint[] | null;
}

/** Mean of a metric over the labels where it is defined. */
export type MeanEstimate =
  | {
      defined: true;
      value: number;
      /** labels that entered the mean, and out of how many */
      over: number;
      of: number;
      labels: string[];
      /** bootstrap interval of the same mean (same labels), from the same resamples as the per-label ones */
      ci: ConfidenceInterval | null;
    }
  | { defined: false; value: null; reason: string; over: 0; of: number; labels: [] };

export interface LevelEvaluation {
  level: 'slice' | 'patient';
  /** rows at this level */
  n: number;
  patients: number;
  perLabel: LabelEvaluation[];
  mean: Record<MetricName, MeanEstimate>;
}

export interface Evaluation {
  labels: string[];
  options: {
    bootstrap: number;
    seed: number;
    fusion: Fusion;
    threshold: number;
    confidence: number;
    /** what the bootstrap resamples: always patients, with all their rows */
    resampling: 'patients';
    ciMethod: 'percentile';
  };
  slice: LevelEvaluation;
  patient: LevelEvaluation;
}
