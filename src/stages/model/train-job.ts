// The training stage's tfjs work, run in a child process of its own (tfjs-process.ts): choose the backend, stream the
// training and validation rows from tensorize's shards, train with checkpoints in the stage's state dir, and tell the
// user what they are in for (images per epoch, measured speed, an ETA for the stage).
import { GlioflowFailure } from '../../engine/stage-api.js';
import type { HistoryRow } from '../../train/history.js';
import { openShards, splitBatches } from './batches.js';
import { trainingForecast } from './forecast.js';
import type { JobContext } from './job-context.js';

export interface TrainJob {
  kind: 'train';
  model: string;
  /** the tensorize stage's shards (absolute paths) and image size */
  shards: string[];
  size: number;
  epochs: number;
  batch: number;
  lr: number;
  weightDecay: number;
  optimizer: 'adam' | 'adamw';
  posWeight: 'none' | 'auto';
  seed: number;
  grn: boolean;
  fold: number | null;
  maxBatches: number;
  /** rows per gradient piece; 0 = planned from the memory estimate (step-plan.ts) */
  microBatch: number;
  backend: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  threads: number;
  stateDir: string;
  /** the backend and JS environment the stage's key names (train-stage.ts environment()) */
  keyed: { backend: string; wasm_products?: string; node?: string };
}

export interface TrainJobResult {
  history: HistoryRow[];
  bestEpoch: number;
  bestWeightsPath: string;
  posWeight: number[] | null;
  parameters: number;
  resumedAfterEpoch: number | null;
  backend: string;
  backendReasons: { backend: string; kind: string; message: string }[];
}

export async function runTrainJob(job: TrainJob, ctx: JobContext): Promise<TrainJobResult> {
  const { keyedBackendMismatch, selectBackend, silenceTfjsBanner } = await import('../../train/backend.js');
  silenceTfjsBanner(await import('@tensorflow/tfjs'));
  const { train, trainPlan } = await import('../../train/trainer.js');
  const { isModelName, MIN_SIZE } = await import('../../train/models.js');
  const model = job.model;
  if (!isModelName(model)) throw new GlioflowFailure({ kind: 'param-value', message: `unknown model ${model}` });
  if (job.size < MIN_SIZE[model]) throw new GlioflowFailure({ kind: 'param-value', message: `${model} needs images of at least ${MIN_SIZE[model]}×${MIN_SIZE[model]}; tensorize made ${job.size}×${job.size}`, hint: 'raise `size` of the tensorize stage' });
  const selected = await selectBackend(job.backend);
  if (!selected.ok) throw new GlioflowFailure(selected.error);
  // The key was made from the cheap probe; a backend that looked usable and failed to load would put another
  // backend's weights under it. Refuse instead, and say how to name the one that works.
  const mismatch = keyedBackendMismatch(job.keyed.backend, selected.value);
  if (mismatch !== null) throw new GlioflowFailure(mismatch);
  const products = selected.value.name === 'wasm' ? (await import('../../train/wasm-kernels.js')).wasmProductKernel() : null;
  if (products !== null && job.keyed.wasm_products !== undefined && products !== job.keyed.wasm_products) {
    throw new GlioflowFailure({ kind: 'backend-mismatch', message: `the stage's cache key names ${job.keyed.wasm_products} for wasm's products, but this process computes them with ${products}` });
  }
  for (const r of selected.value.reasons) ctx.log('info', `backend ${r.backend} skipped: ${r.message}`);
  if (selected.value.warning) ctx.log('warn', selected.value.warning);
  const reader = await openShards(job.shards);
  const { batch: batchSize, seed, epochs, maxBatches, fold } = job;
  const capped = (split: 'train' | 'val'): boolean => split === 'train' && maxBatches > 0;
  const source = {
    epochBatches: async function* (split: 'train' | 'val', epoch: number) {
      let n = 0;
      for await (const b of splitBatches(reader, split, { batchSize, seed, epoch, fold })) {
        if (capped(split) && n++ >= maxBatches) return;
        yield b;
      }
    },
    count: (split: 'train' | 'val') => {
      const rows = reader.countRows({ split, ...(fold !== null ? { fold } : {}) });
      return capped(split) ? Math.min(rows, maxBatches * batchSize) : rows;
    },
  };
  const trainRows = source.count('train');
  if (trainRows === 0) throw new GlioflowFailure({ kind: 'no-data', message: 'the training split holds no slices' });
  const valRows = source.count('val');
  const batches = Math.ceil(trainRows / batchSize);
  const params = {
    model,
    size: job.size,
    lr: job.lr,
    weightDecay: job.weightDecay,
    batchSize,
    epochs,
    seed,
    optimizer: job.optimizer,
    posWeight: job.posWeight,
    grn: job.grn,
    ...(job.microBatch > 0 ? { microBatch: job.microBatch } : {}),
    // gradient pieces of a step on several threads (wasm only); see the train stage for when they decide a result
    threads: selected.value.name === 'wasm' ? job.threads : 1,
  };
  const plan = trainPlan(params);
  ctx.record('seed', seed);
  ctx.record('backend', selected.value.name);
  if (products !== null) ctx.record('wasm_products', products);
  ctx.record('micro_batch', plan.microBatch);
  ctx.record('pieces', plan.pieces);
  if (plan.batchNorm !== null) ctx.record('batch_norm_statistics', plan.batchNorm === 'batch' ? 'whole batch' : `each piece of ${plan.microBatch} rows`);
  ctx.record('estimated_heap_bytes', Math.round(plan.heapBytes));
  const gb = (plan.heapBytes / 2 ** 30).toFixed(1);
  ctx.log('info', `training ${model} at ${job.size}×${job.size} on the ${selected.value.name} backend: batch ${batchSize} as ${plan.pieces} piece(s) of ${plan.microBatch || batchSize} rows (${plan.why}; ~${gb} GB of heap per thread)`);
  if (plan.batchNorm === 'piece') ctx.log('warn', `${model}'s batch norm normalises each piece of ${plan.microBatch} rows by its own statistics (a whole batch of ${batchSize} does not fit the heap; the original used the batch's)`);
  ctx.log('info', `${trainRows} training images per epoch (${batches} batch${batches === 1 ? '' : 'es'})${valRows > 0 ? ` and ${valRows} validation images` : ''}, ${epochs} epoch${epochs === 1 ? '' : 's'}`);
  const forecast = trainingForecast({ model, backend: selected.value.name, epochs, batches, batchSize, valRows, trainRows });
  // the stage's forecast (training and validation, from the rate measured over the first steps), once known
  let stageSeconds: number | null = null;
  let firstDone: number | null = null;
  const outcome = await train(params, source, job.stateDir, {
    signal: ctx.signal,
    onBatch: (b) => {
      const done = (b.epoch - 1) * batches + b.batch;
      firstDone ??= done - 1; // a resumed run forecasts what it has left
      ctx.progress({ unit: 'batches', done, total: epochs * batches, phase: `epoch ${b.epoch}/${epochs}` });
      const said = stageSeconds === null ? forecast.after(b) : null;
      if (said !== null) {
        stageSeconds = said.seconds * (1 - firstDone / (epochs * batches));
        ctx.log(said.level, said.message);
      }
      const left = stageSeconds === null ? null : stageSeconds * (1 - (done - firstDone) / (epochs * batches - firstDone));
      ctx.metrics('step', { epoch: b.epoch, epochs, batch: b.batch, batches: b.batches ?? batches }, { loss: b.loss, images_per_s: b.imagesPerSecond, ...(left === null ? {} : { stage_eta_s: left }) });
    },
    onEpoch: (row) => {
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(row)) if (typeof v === 'number') values[k] = v;
      ctx.metrics('epoch', { epoch: row.epoch, epochs }, values);
    },
  });
  if (!outcome.ok) throw new GlioflowFailure(outcome.error);
  const o = outcome.value;
  if (o.resumedAfterEpoch !== null) ctx.log('info', `resumed after epoch ${o.resumedAfterEpoch} from the checkpoint of an interrupted run`);
  ctx.record('threads', o.threads);
  if (o.threadsNote) ctx.log('warn', o.threadsNote);
  return {
    history: o.history,
    bestEpoch: o.bestEpoch,
    bestWeightsPath: o.bestWeightsPath,
    posWeight: o.posWeight,
    parameters: o.parameters,
    resumedAfterEpoch: o.resumedAfterEpoch,
    backend: selected.value.name,
    backendReasons: selected.value.reasons.map((r) => ({ backend: r.backend, kind: r.kind, message: r.message })),
  };
}
