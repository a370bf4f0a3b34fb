// `train`: one model (foreach over the five) on the training split, validated every epoch on
// the validation patients; best epoch by validation loss. Checkpoints after every epoch in the
// stage's state dir, so a killed run resumes from its last finished epoch. The tfjs work runs in
// a child process of its own (tfjs-process.ts, train-job.ts): a trap or an exhausted memory fails
// this stage alone.
import { availableParallelism } from 'node:os';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineStage } from '../../engine/stage-api.js';
import { HISTORY_COLUMNS } from '../../train/history.js';
import { BATCH_NORM_MODELS, planStep } from '../../train/step-plan.js';
import { probeBackend } from '../../train/backend.js';
import { predictWasmProducts } from '../../train/wasm-products.js';
import { MODEL_NAMES, type ModelName } from '../../train/model-facts.js';
import { toCsv } from '../tables.js';
import { tensorizeShards } from './batches.js';
import { runInChild } from './tfjs-process.js';
import type { TrainJob, TrainJobResult } from './train-job.js';

export interface TrainingSummary {
  model: string;
  params: Record<string, unknown>;
  parameterCount: number;
  backend: string;
  backendReasons: { backend: string; kind: string; message: string }[];
  epochs: number;
  bestEpoch: number;
  bestBy: 'val_loss';
  posWeight: number[] | null;
  resumedAfterEpoch: number | null;
  size: number;
}

/**
 * On the JS-side backends, what Node decides about the arithmetic: which kernel computes wasm's products (our FMA
 * product or XNNPACK: they round differently) and Node's major version (its V8 runs the cpu backend's and our JS
 * arithmetic). The training job refuses to run if what it finds is not this.
 */
function jsEnvironment(backend: string | null): Record<string, string> {
  if (backend !== 'wasm' && backend !== 'cpu') return {};
  const node = process.versions.node.split('.')[0] ?? '';
  return backend === 'wasm' ? { wasm_products: predictWasmProducts(), node } : { node };
}

/** The backend and JS environment a train stage's key names (environment() below; the job checks them). */
function keyedBackend(params: Record<string, unknown>): { backend: string } & Record<string, string> {
  const probe = probeBackend(params['backend'] as 'auto');
  return { backend: probe.name ?? 'none', ...jsEnvironment(probe.name) };
}

/** Threads for a training step: one per core, or GLIOFLOW_TRAIN_THREADS. */
function trainThreads(): number {
  const asked = Number.parseInt(process.env['GLIOFLOW_TRAIN_THREADS'] ?? '', 10);
  return Number.isInteger(asked) && asked >= 1 ? asked : availableParallelism();
}

export default defineStage({
  name: 'train',
  description: 'trains one of the five models (tfjs) on the training split; keeps the best epoch by validation loss',
  version: 1,
  resources: ['tfjs'],
  params: {
    model: { type: 'string', default: 'AlexNet2D', enum: MODEL_NAMES, description: 'architecture (see MODELS.md)' },
    epochs: { type: 'integer', default: 10, min: 1, description: 'epochs (the original: 10)' },
    batch: { type: 'integer', default: 32, min: 1, description: 'batch size (the original: 32)' },
    lr: { type: 'number', default: 1e-4, min: 0, description: 'learning rate (the original: 1e-4)' },
    weight_decay: { type: 'number', default: 1e-5, min: 0, description: 'L2 added to the gradient as torch Adam does (adam), or decoupled (adamw)' },
    optimizer: { type: 'string', default: 'adam', enum: ['adam', 'adamw'], description: 'adam (the original) or adamw' },
    pos_weight: { type: 'string', default: 'none', enum: ['none', 'auto'], description: 'none = plain BCE (the original); auto = class-weighted BCE from training prevalence' },
    seed: { type: 'integer', default: 0, min: 0, description: 'initialisation, dropout and shuffling seed' },
    backend: { type: 'string', default: 'auto', enum: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], description: 'tfjs backend; auto tries tensorflow-gpu, tensorflow, wasm, cpu in turn' },
    grn: { type: 'boolean', default: false, description: 'ConvNeXtV2_2D only: add the published V2 Global Response Normalization' },
    fold: { type: 'integer', default: -1, min: -1, description: 'with k-fold shards: the test fold (-1 = the holdout split)' },
    max_batches: { type: 'integer', default: 0, min: 0, description: 'at most this many training batches per epoch, from a fresh shuffle each epoch (0 = all; the demo uses it to fit five models in minutes)' },
    micro_batch: { type: 'integer', default: 0, min: 0, description: "rows per gradient piece of a step (pieces are summed into one update); 0 = planned from the step's estimated memory (src/train/step-plan.ts)" },
  },
  // The backend decides the weights, so it is part of the key; probing is cheap (no tfjs import).
  async environment(params) {
    const keyed = keyedBackend(params);
    // For models without batch norm the thread count never changes a result (data-parallel pieces are summed in order).
    const statsThreads = BATCH_NORM_MODELS.has(String(params.model) as ModelName) && keyed.backend === 'wasm' ? Math.min(trainThreads(), 2) : undefined;
    return { ...keyed, ...(statsThreads === undefined ? {} : { batch_norm_threads: String(statsThreads) }) };
  },
  async run(ctx) {
    const model = String(ctx.params.model) as ModelName;
    const { meta, shards } = await tensorizeShards(ctx.upstreamOf('tensorize'));
    const fold = Number(ctx.params.fold) >= 0 ? Number(ctx.params.fold) : null;
    const batch = Number(ctx.params.batch);
    const microBatch = Number(ctx.params.micro_batch);
    const threads = trainThreads();
    // for the message if the process dies: what ran, and what the estimate said
    const plan = planStep(model, meta.size, batch, microBatch, threads);
    const what = `${model} at ${meta.size}×${meta.size}, batch ${batch}, micro-batch ${plan.microBatch || batch} (estimated ${(plan.heapBytes / 2 ** 30).toFixed(1)} GB of heap per thread)`;
    const r = await runInChild<TrainJobResult, TrainJob>(
      ctx,
      new URL('./train-child.js', import.meta.url),
      {
        kind: 'train',
        model,
        shards,
        size: meta.size,
        epochs: Number(ctx.params.epochs),
        batch,
        lr: Number(ctx.params.lr),
        weightDecay: Number(ctx.params.weight_decay),
        optimizer: ctx.params.optimizer as 'adam',
        posWeight: ctx.params.pos_weight as 'none',
        seed: Number(ctx.params.seed),
        grn: ctx.params.grn === true,
        fold,
        maxBatches: Number(ctx.params.max_batches),
        microBatch,
        backend: ctx.params.backend as 'auto',
        threads,
        stateDir: ctx.stateDir,
        // what the key was made for (environment() above): the job refuses to train anything else under it
        keyed: keyedBackend(ctx.params),
      },
      what,
    );
    const summary: TrainingSummary = {
      model,
      params: ctx.params,
      parameterCount: r.parameters,
      backend: r.backend,
      backendReasons: r.backendReasons,
      epochs: r.history.length,
      bestEpoch: r.bestEpoch,
      bestBy: 'val_loss',
      posWeight: r.posWeight,
      resumedAfterEpoch: r.resumedAfterEpoch,
      size: meta.size,
    };
    const history = toCsv([...HISTORY_COLUMNS], r.history.map((row) => HISTORY_COLUMNS.map((c) => row[c] ?? null)));
    await ctx.writeOutput('history.csv', history, { materialize: `experiments/${model}/history.csv` });
    // A copy: the checkpoint keeps its best.gft until the engine removes the state dir after this stage is recorded,
    // so an interruption in between resumes to the same outputs instead of missing the file.
    const weights = join(ctx.scratchDir, 'weights.gft');
    await copyFile(r.bestWeightsPath, weights);
    await ctx.writeOutputFile('weights.gft', weights);
    await ctx.writeOutput('training.json', JSON.stringify(summary, null, 2));
    const best = r.history[r.bestEpoch - 1]?.val_loss;
    ctx.log('info', `${model}: ${r.history.length} epochs, best ${r.bestEpoch} (val loss ${typeof best === 'number' ? best.toFixed(4) : '—'})`);
  },
});
