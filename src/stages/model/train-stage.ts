// `train`: one model (foreach over the five) on the training split, validated every epoch on
// the validation patients; best epoch by validation loss. Checkpoints after every epoch in the
// stage's state dir, so a killed run resumes from its last finished epoch.
import { availableParallelism } from 'node:os';
import { defineStage, GlioflowFailure } from '../../engine/stage-api.js';
import { toCsv } from '../tables.js';
import { openTensorize, splitBatches } from './batches.js';

const MODELS = ['AlexNet2D', 'SENet', 'ConvNeXtV2_2D', 'VisionLSTM', 'ViT'] as const;
/**
 * Models with batch norm, whose steps on wasm are split over (at most) two threads that share the statistics
 * (src/train/sync-batch-norm.ts): the thread count changes their float rounding, never their mathematics.
 */
const BATCH_NORM_MODELS: ReadonlySet<string> = new Set(['SENet']);

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
    model: { type: 'string', default: 'AlexNet2D', enum: MODELS, description: 'architecture (see MODELS.md)' },
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
  },
  // The backend decides the weights, so it is part of the key; probing is cheap (no tfjs import).
  async environment(params) {
    const { probeBackend } = await import('../../train/backend.js');
    const probe = probeBackend(params.backend as 'auto');
    // For the other models the thread count never changes a result (data-parallel pieces are summed in order).
    const statsThreads = BATCH_NORM_MODELS.has(String(params.model)) && probe.name === 'wasm' ? Math.min(trainThreads(), 2) : undefined;
    return { backend: probe.name ?? 'none', ...(statsThreads === undefined ? {} : { batch_norm_threads: String(statsThreads) }) };
  },
  async run(ctx) {
    const { selectBackend } = await import('../../train/backend.js');
    const { train, HISTORY_COLUMNS } = await import('../../train/trainer.js');
    const { isModelName, MIN_SIZE } = await import('../../train/models.js');
    const model = String(ctx.params.model);
    if (!isModelName(model)) throw new GlioflowFailure({ kind: 'param-value', message: `unknown model ${model}`, stage: ctx.stage });
    const selected = await selectBackend(ctx.params.backend as 'auto');
    if (!selected.ok) throw new GlioflowFailure({ ...selected.error, stage: ctx.stage });
    for (const r of selected.value.reasons) ctx.log('info', `backend ${r.backend} skipped: ${r.message}`);
    if (selected.value.warning) ctx.log('warn', selected.value.warning);
    ctx.log('info', `training ${model} on the ${selected.value.name} backend`);

    const { meta, reader } = await openTensorize(ctx.upstreamOf('tensorize'));
    if (meta.size < MIN_SIZE[model]) throw new GlioflowFailure({ kind: 'param-value', message: `${model} needs images of at least ${MIN_SIZE[model]}×${MIN_SIZE[model]}; tensorize made ${meta.size}×${meta.size}`, stage: ctx.stage, hint: 'raise `size` of the tensorize stage' });
    const fold = Number(ctx.params.fold) >= 0 ? Number(ctx.params.fold) : null;
    const batchSize = Number(ctx.params.batch);
    const seed = Number(ctx.params.seed);
    const epochs = Number(ctx.params.epochs);
    const maxBatches = Number(ctx.params.max_batches);
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
    if (trainRows === 0) throw new GlioflowFailure({ kind: 'no-data', message: 'the training split holds no slices', stage: ctx.stage });
    const batches = Math.ceil(trainRows / batchSize);
    ctx.record('seed', seed);
    ctx.record('backend', selected.value.name);
    if (selected.value.name === 'wasm') ctx.record('wasm_products', (await import('../../train/wasm-kernels.js')).wasmProductKernel());
    const outcome = await train(
      {
        model,
        size: meta.size,
        lr: Number(ctx.params.lr),
        weightDecay: Number(ctx.params.weight_decay),
        batchSize,
        epochs,
        seed,
        optimizer: ctx.params.optimizer as 'adam',
        posWeight: ctx.params.pos_weight as 'none',
        grn: ctx.params.grn === true,
        // Gradient pieces of a step on several threads (wasm only). Not a param: the result does not depend on it.
        threads: trainThreads(),
      },
      source,
      ctx.stateDir,
      {
        signal: ctx.signal,
        onBatch: (b) => {
          ctx.progress({ unit: 'batches', done: (b.epoch - 1) * batches + b.batch, total: epochs * batches, phase: `epoch ${b.epoch}/${epochs}` });
          ctx.metrics('step', { epoch: b.epoch, epochs, batch: b.batch, batches: b.batches ?? batches }, { loss: b.loss, images_per_s: b.imagesPerSecond });
        },
        onEpoch: (row) => {
          const values: Record<string, number> = {};
          for (const [k, v] of Object.entries(row)) if (typeof v === 'number') values[k] = v;
          ctx.metrics('epoch', { epoch: row.epoch, epochs }, values);
        },
      },
    );
    if (!outcome.ok) throw new GlioflowFailure({ ...outcome.error, stage: ctx.stage });
    const o = outcome.value;
    if (o.resumedAfterEpoch !== null) ctx.log('info', `resumed after epoch ${o.resumedAfterEpoch} from the checkpoint of an interrupted run`);
    ctx.record('micro_batch', o.microBatch);
    ctx.record('threads', o.threads);
    if (o.threadsNote) ctx.log('warn', o.threadsNote);
    const summary: TrainingSummary = {
      model,
      params: ctx.params,
      parameterCount: o.parameters,
      backend: selected.value.name,
      backendReasons: selected.value.reasons.map((r) => ({ backend: r.backend, kind: r.kind, message: r.message })),
      epochs: o.history.length,
      bestEpoch: o.bestEpoch,
      bestBy: 'val_loss',
      posWeight: o.posWeight,
      resumedAfterEpoch: o.resumedAfterEpoch,
      size: meta.size,
    };
    const history = toCsv(HISTORY_COLUMNS as string[], o.history.map((row) => HISTORY_COLUMNS.map((c) => row[c] ?? null)));
    await ctx.writeOutput('history.csv', history, { materialize: `experiments/${model}/history.csv` });
    await ctx.writeOutputFile('weights.gft', o.bestWeightsPath);
    await ctx.writeOutput('training.json', JSON.stringify(summary, null, 2));
    ctx.log('info', `${model}: ${o.history.length} epochs, best ${o.bestEpoch} (val loss ${o.history[o.bestEpoch - 1]?.val_loss?.toFixed(4) ?? '—'})`);
  },
});
