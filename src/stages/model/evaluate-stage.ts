// `evaluate`: one trained model on the test split (or a fold's test patients): per mutation
// accuracy at 0.5 (the original's metric), AUROC, AUPRC, balanced accuracy, sensitivity,
// specificity, F1, each with a 95% patient-bootstrap CI, at slice and patient level.
import { defineStage, GlioflowFailure } from '../../engine/stage-api.js';
import { toCsv } from '../tables.js';
import { tensorizeShards } from './batches.js';
import { runInChild } from './tfjs-process.js';
import type { EvaluateJob, EvaluateJobResult } from './evaluate-job.js';
import type { TrainingSummary } from './train-stage.js';
import type { ModelResult } from '../../report/index.js';

export default defineStage({
  name: 'evaluate',
  description: 'per-mutation metrics with bootstrap CIs on the test split, per slice and per patient',
  version: 1,
  resources: ['tfjs'],
  params: {
    bootstrap: { type: 'integer', default: 1000, min: 0, description: 'bootstrap resamples of patients for the 95% CIs' },
    seed: { type: 'integer', default: 0, min: 0, description: 'bootstrap seed' },
    fusion: { type: 'string', default: 'mean', enum: ['mean', 'sequence-plane'], description: "patient probability: mean of the patient's slices, or per sequence and plane first, then mean" },
    split: { type: 'string', default: 'test', enum: ['test', 'val'], description: 'which patients to evaluate on' },
  },
  async run(ctx) {
    const { evaluate } = await import('../../metrics/index.js');
    const trained = ctx.upstreamOf('train');
    const summary = await trained.readJson<TrainingSummary>('training.json');
    const tensorize = ctx.upstreamOf('tensorize');
    const { meta, shards } = await tensorizeShards(tensorize);
    const fold = typeof summary.params['fold'] === 'number' && summary.params['fold'] >= 0 ? summary.params['fold'] : null;
    const split = ctx.params.split as 'test' | 'val';
    // in a child process of its own, as training: a trap there fails this stage alone (tfjs-process.ts)
    const predicted = await runInChild<EvaluateJobResult, EvaluateJob>(
      ctx,
      new URL('./evaluate-child.js', import.meta.url),
      { kind: 'evaluate', weights: trained.path('weights.gft'), shards, split, fold, trainedOn: summary.backend },
      `${summary.model} at ${meta.size}×${meta.size} (evaluating the ${split} split)`,
    );
    const rows = predicted.rows;
    if (rows.length === 0) throw new GlioflowFailure({ kind: 'no-data', message: `the ${split} split holds no slices`, stage: ctx.stage });
    const evalRows = rows.map((r, i) => ({ patient: r.patient, sequence: r.sequence, plane: r.plane, labels: r.labels, probs: Array.from(predicted.probs[i] as Float32Array) }));
    const evaluation = evaluate(evalRows, { bootstrap: Number(ctx.params.bootstrap), seed: Number(ctx.params.seed), fusion: ctx.params.fusion as 'mean' });
    if (!evaluation.ok) throw new GlioflowFailure({ ...evaluation.error, stage: ctx.stage });
    const result: ModelResult = {
      schema: 'glioflow.model-result/1',
      model: summary.model,
      params: JSON.parse(JSON.stringify(summary.params)),
      parameterCount: summary.parameterCount,
      backend: summary.backend,
      epochs: summary.epochs,
      bestEpoch: summary.bestEpoch,
      bestBy: summary.bestBy,
      cacheKeys: { data: tensorize.key, weights: trained.outputs['weights.gft']?.hash ?? trained.key, train: trained.key },
      split: fold === null ? split : `${split} (fold ${fold})`,
      evaluation: evaluation.value,
    };
    ctx.record('seed', Number(ctx.params.seed));
    ctx.record('rows', evalRows.length);
    const patient = evaluation.value.patient.perLabel.map((l) => `${l.label} ${l.metrics.auroc.defined ? l.metrics.auroc.value.toFixed(2) : '—'}`).join(', ');
    ctx.log('info', `${summary.model}: patient-level AUROC ${patient} (${evaluation.value.patient.patients} patients)`);
    await ctx.writeOutput('results.json', `${JSON.stringify(result, null, 2)}\n`, { materialize: `experiments/${summary.model}/results.json` });
    const predictions = toCsv(['patient', 'series', 'sequence', 'plane', 'slice', 'TP53', 'PTEN', 'EGFR', 'IDH', 'p_TP53', 'p_PTEN', 'p_EGFR', 'p_IDH'], evalRows.map((r, i) => [r.patient, rows[i]?.series ?? '', r.sequence, r.plane, rows[i]?.slice ?? 0, ...r.labels, ...r.probs.map((p) => Number(p.toFixed(6)))]));
    await ctx.writeOutput('predictions.csv', predictions);
  },
});
