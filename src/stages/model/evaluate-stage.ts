// `evaluate`: one trained model on the test split (or a fold's test patients): per mutation
// accuracy at 0.5 (the original's metric), AUROC, AUPRC, balanced accuracy, sensitivity,
// specificity, F1, each with a 95% patient-bootstrap CI, at slice and patient level.
import { defineStage, GlioflowFailure } from '../../engine/stage-api.js';
import { toCsv } from '../tables.js';
import { openTensorize, splitBatches } from './batches.js';
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
    const { predict } = await import('../../train/trainer.js');
    const { selectBackend } = await import('../../train/backend.js');
    const { evaluate } = await import('../../metrics/index.js');
    const trained = ctx.upstreamOf('train');
    const summary = await trained.readJson<TrainingSummary>('training.json');
    const selected = await selectBackend(summary.backend as 'auto');
    if (!selected.ok) throw new GlioflowFailure({ ...selected.error, stage: ctx.stage });
    const tensorize = ctx.upstreamOf('tensorize');
    const { reader } = await openTensorize(tensorize);
    const fold = typeof summary.params['fold'] === 'number' && summary.params['fold'] >= 0 ? summary.params['fold'] : null;
    const split = ctx.params.split as 'test' | 'val';
    const rows: { patient: string; series: string; sequence: string; plane: string; slice: number; labels: number[] }[] = [];
    async function* batches() {
      for await (const b of splitBatches(reader, split, { batchSize: 64, seed: 0, epoch: 0, fold })) {
        b.meta.forEach((m, i) => rows.push({ ...m, labels: Array.from(b.y.subarray(i * 4, i * 4 + 4)) }));
        yield { x: b.x, y: b.y, n: b.n, size: b.size };
      }
    }
    const predicted = await predict(trained.path('weights.gft'), batches());
    if (!predicted.ok) throw new GlioflowFailure({ ...predicted.error, stage: ctx.stage });
    if (rows.length === 0) throw new GlioflowFailure({ kind: 'no-data', message: `the ${split} split holds no slices`, stage: ctx.stage });
    const evalRows = rows.map((r, i) => ({ patient: r.patient, sequence: r.sequence, plane: r.plane, labels: r.labels, probs: Array.from(predicted.value[i] as Float32Array) }));
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
