// Slice- and patient-level metrics for every label, with patient-bootstrap confidence intervals.
import { err, ok, type GlioflowError, type Result } from '../engine/result.js';
import { metricsOf, prepareLabel, rocCurve, type PreparedLabel } from './binary.js';
import { fusePatients } from './fusion.js';
import { quantileSorted } from './percentile.js';
import { createRng } from './rng.js';
import {
  LABELS,
  METRICS,
  type ConfidenceInterval,
  type EvalRow,
  type EvaluateOptions,
  type Evaluation,
  type LabelEvaluation,
  type LevelEvaluation,
  type MaybeNumber,
  type MeanEstimate,
  type MetricEstimate,
  type MetricName,
} from './types.js';

const inputError = (message: string, item?: string, hint?: string): GlioflowError => ({
  kind: 'metrics-input',
  message,
  ...(item !== undefined ? { item } : {}),
  ...(hint !== undefined ? { hint } : {}),
});

/** Checks rows before any arithmetic, so a NaN from a diverged model is reported, not averaged. */
function validate(rows: readonly EvalRow[], nLabels: number, opts: EvaluateOptions): GlioflowError | null {
  if (rows.length === 0) return inputError('no prediction rows to evaluate');
  if (!Number.isInteger(opts.bootstrap) || opts.bootstrap < 0)
    return inputError(`bootstrap must be a non-negative integer, got ${opts.bootstrap}`);
  if (!Number.isFinite(opts.seed)) return inputError(`seed must be a finite number, got ${opts.seed}`);
  const thr = opts.threshold ?? 0.5;
  if (!(thr >= 0 && thr <= 1)) return inputError(`threshold must be in [0, 1], got ${thr}`);
  if (opts.fusion !== 'mean' && opts.fusion !== 'sequence-plane') return inputError(`fusion must be 'mean' or 'sequence-plane', got ${String(opts.fusion)}`);
  const conf = opts.confidence ?? 0.95;
  if (!(conf > 0 && conf < 1)) return inputError(`confidence must be in (0, 1), got ${conf}`);
  const firstLabels = new Map<string, readonly number[]>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as EvalRow;
    const item = `row ${i} (patient ${r.patient}, ${r.sequence}/${r.plane})`;
    if (typeof r.patient !== 'string' || r.patient === '') return inputError('row without a patient id', item);
    if (r.probs.length !== nLabels || r.labels.length !== nLabels)
      return inputError(`expected ${nLabels} probabilities and labels (${LABELS.join(', ')}), got ${r.probs.length} and ${r.labels.length}`, item);
    for (let l = 0; l < nLabels; l++) {
      const p = r.probs[l] as number;
      if (!Number.isFinite(p) || p < 0 || p > 1)
        return inputError(`probability for ${LABELS[l] ?? l} is ${p}, not in [0, 1]`, item, 'a model that diverged produces NaN; check the training history');
      const y = r.labels[l];
      if (y !== 0 && y !== 1) return inputError(`label for ${LABELS[l] ?? l} is ${y}, not 0 or 1`, item);
    }
    const seen = firstLabels.get(r.patient);
    if (seen === undefined) firstLabels.set(r.patient, r.labels);
    else if (seen.some((y, l) => y !== r.labels[l]))
      return inputError(`patient ${r.patient} has rows with different labels (${seen.join(',')} vs ${r.labels.join(',')})`, item, 'mutation labels are per patient; the rows were joined wrongly');
  }
  return null;
}

/** One level's rows, as the bootstrap sees them. */
interface LevelData {
  level: 'slice' | 'patient';
  n: number;
  /** patient index of each row */
  patientOf: Int32Array;
  nPatients: number;
  prepared: PreparedLabel[];
  truth: Uint8Array[];
}

function levelData(
  level: 'slice' | 'patient',
  patients: readonly string[],
  probs: readonly (readonly number[])[],
  labels: readonly (readonly number[])[],
  patientIndex: Map<string, number>,
  nLabels: number,
  threshold: number,
): LevelData {
  const n = patients.length;
  const patientOf = new Int32Array(n);
  for (let i = 0; i < n; i++) patientOf[i] = patientIndex.get(patients[i] as string) as number;
  const prepared: PreparedLabel[] = [];
  const truth: Uint8Array[] = [];
  for (let l = 0; l < nLabels; l++) {
    const s = Float64Array.from(probs, (p) => p[l] as number);
    const y = Uint8Array.from(labels, (t) => t[l] as number);
    prepared.push(prepareLabel(s, y, threshold));
    truth.push(y);
  }
  return { level, n, patientOf, nPatients: patientIndex.size, prepared, truth };
}

/** Bootstrap draws: values[label][metric][b], NaN where the metric was undefined in resample b (internal only). */
type Draws = Float64Array[][];

function runBootstrap(levels: LevelData[], nPatients: number, B: number, seed: number, nLabels: number): Draws[] {
  const rng = createRng(seed);
  const out: Draws[] = levels.map(() =>
    Array.from({ length: nLabels }, () => METRICS.map(() => new Float64Array(B))),
  );
  const counts = new Float64Array(nPatients);
  const weights = levels.map((lv) => new Float64Array(lv.n));
  for (let b = 0; b < B; b++) {
    counts.fill(0);
    for (let k = 0; k < nPatients; k++) counts[rng.int(nPatients)]! += 1;
    levels.forEach((lv, li) => {
      const w = weights[li] as Float64Array;
      for (let i = 0; i < lv.n; i++) w[i] = counts[lv.patientOf[i] as number] as number;
      for (let l = 0; l < nLabels; l++) {
        const m = metricsOf(lv.prepared[l] as PreparedLabel, w);
        METRICS.forEach((name, mi) => {
          const v = m[name];
          ((out[li] as Draws)[l] as Float64Array[])[mi]![b] = v.defined ? v.value : Number.NaN;
        });
      }
    });
  }
  return out;
}

function intervalOf(draws: Float64Array, level: number): ConfidenceInterval {
  const used = draws.filter((v) => !Number.isNaN(v)).sort();
  const resamples = draws.length;
  const skipped = resamples - used.length;
  if (used.length === 0)
    return { defined: false, level, reason: 'metric undefined in every resample', resamples, used: 0, skipped };
  const a = (1 - level) / 2;
  return {
    defined: true,
    level,
    low: quantileSorted(used, a),
    high: quantileSorted(used, 1 - a),
    resamples,
    used: used.length,
    skipped,
  };
}

function countPatients(lv: LevelData, truth: Uint8Array): { patients: number; positivePatients: number } {
  const pos = new Uint8Array(lv.nPatients);
  const present = new Uint8Array(lv.nPatients);
  for (let i = 0; i < lv.n; i++) {
    const p = lv.patientOf[i] as number;
    present[p] = 1;
    if (truth[i] === 1) pos[p] = 1;
  }
  return { patients: present.reduce((s, v) => s + v, 0), positivePatients: pos.reduce((s, v) => s + v, 0) };
}

function summarise(
  lv: LevelData,
  draws: Draws | null,
  labelNames: readonly string[],
  confidence: number,
): LevelEvaluation {
  const point: Record<MetricName, MaybeNumber>[] = lv.prepared.map((p) => metricsOf(p));
  const perLabel: LabelEvaluation[] = labelNames.map((label, l) => {
    const m = point[l] as Record<MetricName, MaybeNumber>;
    const truth = lv.truth[l] as Uint8Array;
    const positives = truth.reduce((s, v) => s + v, 0);
    const metrics = {} as Record<MetricName, MetricEstimate>;
    METRICS.forEach((name, mi) => {
      const v = m[name];
      metrics[name] = v.defined
        ? { defined: true, value: v.value, ci: draws ? intervalOf((draws[l] as Float64Array[])[mi] as Float64Array, confidence) : null }
        : v;
    });
    return {
      label,
      n: lv.n,
      positives,
      negatives: lv.n - positives,
      ...countPatients(lv, truth),
      metrics,
      roc: rocCurve(lv.prepared[l] as PreparedLabel),
    };
  });
  const mean = {} as Record<MetricName, MeanEstimate>;
  METRICS.forEach((name, mi) => {
    const idx = labelNames.map((_, l) => l).filter((l) => (point[l] as Record<MetricName, MaybeNumber>)[name].defined);
    if (idx.length === 0) {
      mean[name] = { defined: false, value: null, reason: `undefined for every label`, over: 0, of: labelNames.length, labels: [] };
      return;
    }
    const value = idx.reduce((s, l) => s + ((point[l] as Record<MetricName, MaybeNumber>)[name].value as number), 0) / idx.length;
    let ci: ConfidenceInterval | null = null;
    if (draws) {
      // Mean over the same labels in each resample; a resample where any of them is undefined is skipped.
      const B = ((draws[0] as Float64Array[])[0] as Float64Array).length;
      const md = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        let s = 0;
        for (const l of idx) s += ((draws[l] as Float64Array[])[mi] as Float64Array)[b] as number;
        md[b] = s / idx.length; // NaN propagates: skipped
      }
      ci = intervalOf(md, confidence);
    }
    mean[name] = { defined: true, value, over: idx.length, of: labelNames.length, labels: idx.map((l) => labelNames[l] as string), ci };
  });
  const patients = new Set(lv.patientOf).size;
  return { level: lv.level, n: lv.n, patients, perLabel, mean };
}

/**
 * Metrics for TP53, PTEN, EGFR, IDH at slice and patient level. Confidence intervals: percentile bootstrap,
 * resampling patients (with all their slices) `options.bootstrap` times with a seeded RNG; the same patient
 * draws serve both levels and every label, so the intervals are comparable. Fails only on invalid input
 * (no rows, NaN or out-of-range probabilities, labels not 0/1, a patient with conflicting labels).
 */
export function evaluate(rows: readonly EvalRow[], options: EvaluateOptions): Result<Evaluation, GlioflowError> {
  const labelNames: readonly string[] = LABELS;
  const nLabels = labelNames.length;
  const bad = validate(rows, nLabels, options);
  if (bad) return err(bad);
  const threshold = options.threshold ?? 0.5;
  const confidence = options.confidence ?? 0.95;

  const patientIndex = new Map<string, number>();
  for (const r of rows) if (!patientIndex.has(r.patient)) patientIndex.set(r.patient, patientIndex.size);
  const slice = levelData(
    'slice',
    rows.map((r) => r.patient),
    rows.map((r) => r.probs),
    rows.map((r) => r.labels),
    patientIndex,
    nLabels,
    threshold,
  );
  const fused = fusePatients(rows, options.fusion, nLabels);
  const patient = levelData(
    'patient',
    fused.map((p) => p.patient),
    fused.map((p) => p.probs),
    fused.map((p) => p.labels),
    patientIndex,
    nLabels,
    threshold,
  );
  const draws = options.bootstrap > 0 ? runBootstrap([slice, patient], patientIndex.size, options.bootstrap, options.seed, nLabels) : null;
  return ok({
    labels: [...labelNames],
    options: {
      bootstrap: options.bootstrap,
      seed: options.seed,
      fusion: options.fusion,
      threshold,
      confidence,
      resampling: 'patients',
      ciMethod: 'percentile',
    },
    slice: summarise(slice, draws ? (draws[0] as Draws) : null, labelNames, confidence),
    patient: summarise(patient, draws ? (draws[1] as Draws) : null, labelNames, confidence),
  });
}
