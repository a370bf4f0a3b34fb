// The evaluate stage's tfjs work, in a child process of its own (tfjs-process.ts): the model's probabilities for
// every row of a split. On the backend the model was trained on where it loads; else on the best one that does,
// recorded, since another backend's numbers may differ in the last bits.
import { GlioflowFailure } from '../../engine/stage-api.js';
import { openShards, splitBatches, type Split } from './batches.js';
import type { JobContext } from './job-context.js';

export interface EvaluateJob {
  kind: 'evaluate';
  weights: string;
  shards: string[];
  split: Split;
  fold: number | null;
  /** the backend the weights were trained on */
  trainedOn: string;
}

export interface EvaluateRow {
  patient: string;
  series: string;
  sequence: string;
  plane: string;
  slice: number;
  labels: number[];
}

export interface EvaluateJobResult {
  rows: EvaluateRow[];
  probs: Float32Array[];
  backend: string;
}

const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

export async function runEvaluateJob(job: EvaluateJob, ctx: JobContext): Promise<EvaluateJobResult> {
  const { selectBackend, silenceTfjsBanner } = await import('../../train/backend.js');
  silenceTfjsBanner(await import('@tensorflow/tfjs'));
  const { predict } = await import('../../train/trainer.js');
  const trained = (BACKENDS as readonly string[]).includes(job.trainedOn) ? (job.trainedOn as (typeof BACKENDS)[number]) : null;
  let selected = trained === null ? null : await selectBackend(trained);
  if (selected === null || !selected.ok) {
    const why = selected === null ? `unknown backend '${job.trainedOn}'` : selected.error.message;
    selected = await selectBackend('auto');
    if (!selected.ok) throw new GlioflowFailure(selected.error);
    ctx.log('warn', `the model was trained on ${job.trainedOn}, which is not available here (${why}); evaluating on ${selected.value.name}: probabilities may differ from the training backend's in the last bits`);
  }
  ctx.record('backend', selected.value.name);
  ctx.record('trained_backend', job.trainedOn);
  const reader = await openShards(job.shards);
  const rows: EvaluateRow[] = [];
  async function* batches() {
    for await (const b of splitBatches(reader, job.split, { batchSize: 64, seed: 0, epoch: 0, fold: job.fold })) {
      if (ctx.signal.aborted) throw new GlioflowFailure({ kind: 'aborted', message: 'evaluation aborted' });
      b.meta.forEach((m, i) => rows.push({ ...m, labels: Array.from(b.y.subarray(i * 4, i * 4 + 4)) }));
      yield { x: b.x, y: b.y, n: b.n, size: b.size };
    }
  }
  const predicted = await predict(job.weights, batches());
  if (!predicted.ok) throw new GlioflowFailure(predicted.error);
  return { rows, probs: predicted.value, backend: selected.value.name };
}
