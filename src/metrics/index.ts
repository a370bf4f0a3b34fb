// Evaluation metrics for glioflow. Entry point: `evaluate(rows, { bootstrap, seed, fusion })` → Result<Evaluation>:
// per label (TP53, PTEN, EGFR, IDH) accuracy@0.5, AUROC, AUPRC, balanced accuracy, sensitivity, specificity,
// F1 at slice and patient level, each with a percentile-bootstrap CI over patients, plus ROC curves and means
// over labels. Values equal scikit-learn's (test/fixtures/metrics/make_reference.py); undefined values carry
// a reason instead of NaN, so an Evaluation is plain JSON.
export { evaluate } from './evaluate.js';
export { binaryMetrics, metricsOf, prepareLabel, rocCurve, type PreparedLabel } from './binary.js';
export { fusePatients, type PatientRow } from './fusion.js';
export { createRng, type Rng } from './rng.js';
export { quantileSorted } from './percentile.js';
export * from './types.js';
