// Trains one model on the current tfjs backend (choose it first with selectBackend). Seeded init and seeded dropout;
// the batch source shuffles by (seed, epoch). After every epoch the weights, optimizer state, epoch and history are
// checkpointed (temp + rename; state.json is written last and is the commit point), so a killed run resumes from its
// last finished epoch and ends with the same history. The best epoch by validation loss is kept as best.gft.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { err, ok, toGlioflowError, type GlioflowError, type Result } from '../engine/result.js';
import { bceWithLogits, positiveWeights } from './loss.js';
import { accuracyAt, aurocOf } from './metrics.js';
import { buildModel, countParameters, LABELS, type Label, type ModelName } from './models.js';
import { planStep, processBytes, type StepPlan } from './step-plan.js';
import { GradientHelpers } from './data-parallel.js';
import { TorchAdam, type OptimizerKind } from './optimizer.js';
import { trainStep } from './step.js';
import type { HistoryRow } from './history.js';
import { readTensorFile, removeQuietly, writeTensorFile, type TensorData, type TensorToWrite } from './tensor-file.js';

export type Split = 'train' | 'val';

/** x: n×size×size×1 channels-last (row-major), y: n×4 in label order TP53, PTEN, EGFR, IDH. */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  n: number;
  size: number;
}

export interface BatchSource {
  /** The split's rows, shuffled as the source sees fit for `epoch` (deterministically, for resumable runs). */
  epochBatches(split: Split, epoch: number): AsyncIterable<Batch>;
  /** Rows in a split, if known up front (lets onBatch report the batch total in the first epoch). */
  count?(split: Split): number;
}

export interface TrainParams {
  model: ModelName;
  size: number;
  lr?: number;
  weightDecay?: number;
  batchSize?: number;
  epochs?: number;
  seed?: number;
  optimizer?: OptimizerKind;
  /** 'auto': pos_weight = negatives/positives per label from the training labels; 'none'; or given per label. */
  posWeight?: 'auto' | 'none' | readonly number[];
  /** ConvNeXtV2_2D only. */
  grn?: boolean;
  /**
   * Rows per gradient piece (pieces are summed into one update); 0 = never split; 'auto' (default): planStep's choice
   * from the estimate of the step's memory (step-plan.ts). The pieces change the float order of the sum (and, for
   * batch norm, may change its statistics: StepPlan.batchNorm); the thread count changes nothing for models without
   * batch norm.
   */
  microBatch?: number | 'auto';
  /** Threads computing the pieces of a step (data parallel, wasm backend only); 1 = this thread alone. Not part of the result. */
  threads?: number;
}

export type ResolvedTrainParams = Required<Omit<TrainParams, 'posWeight' | 'microBatch'>> & {
  posWeight: 'auto' | 'none' | number[];
  /** 0 = the whole batch in one piece. */
  microBatch: number;
  /** for models with batch norm: whole-batch statistics, or each piece's own (StepPlan.batchNorm) */
  batchNorm: 'batch' | 'piece' | null;
};

/** The step plan of a training run: planStep's (see step-plan.ts), or the given micro-batch (0 = whole batches). */
export function trainPlan(p: TrainParams): StepPlan {
  const batch = p.batchSize ?? TRAIN_DEFAULTS.batchSize;
  const threads = Math.max(1, Math.floor(p.threads ?? TRAIN_DEFAULTS.threads));
  const forced = typeof p.microBatch === 'number' ? (p.microBatch > 0 ? p.microBatch : batch) : 0;
  return planStep(p.model, p.size, batch, forced, threads);
}

export const TRAIN_DEFAULTS = { lr: 1e-4, weightDecay: 1e-5, batchSize: 32, epochs: 10, seed: 0, optimizer: 'adam', posWeight: 'auto', grn: false, threads: 1 } as const;


export function resolveTrainParams(p: TrainParams): ResolvedTrainParams {
  const plan = trainPlan(p);
  return {
    model: p.model,
    size: p.size,
    lr: p.lr ?? TRAIN_DEFAULTS.lr,
    weightDecay: p.weightDecay ?? TRAIN_DEFAULTS.weightDecay,
    batchSize: p.batchSize ?? TRAIN_DEFAULTS.batchSize,
    epochs: p.epochs ?? TRAIN_DEFAULTS.epochs,
    seed: p.seed ?? TRAIN_DEFAULTS.seed,
    optimizer: p.optimizer ?? TRAIN_DEFAULTS.optimizer,
    posWeight: typeof p.posWeight === 'object' ? [...p.posWeight] : (p.posWeight ?? TRAIN_DEFAULTS.posWeight),
    grn: p.grn ?? TRAIN_DEFAULTS.grn,
    microBatch: plan.microBatch,
    batchNorm: plan.batchNorm,
    threads: Math.max(1, Math.floor(p.threads ?? TRAIN_DEFAULTS.threads)),
  };
}

export { HISTORY_COLUMNS, type HistoryRow } from './history.js';

export interface BatchProgress {
  epoch: number;
  /** 1-based. */
  batch: number;
  /** null while unknown (first epoch of a source without count()). */
  batches: number | null;
  loss: number;
  imagesPerSecond: number;
}

export interface TrainCallbacks {
  onBatch?(p: BatchProgress): void;
  onEpoch?(row: HistoryRow): void;
  signal?: AbortSignal;
}

export interface TrainOutcome {
  history: HistoryRow[];
  /** threads that computed the steps (1, or more with gradient workers on wasm) */
  threads: number;
  /** why fewer threads than asked ran, when that was not by design */
  threadsNote?: string;
  /** rows per gradient piece (0 = whole batches) */
  microBatch: number;
  bestEpoch: number;
  /** Self-describing weights file of the best epoch (load with predict/loadWeights). */
  bestWeightsPath: string;
  posWeight: number[] | null;
  parameters: number;
  /** The epoch the run resumed after, or null for a fresh run. */
  resumedAfterEpoch: number | null;
}

/** What a weights file says about itself, so predict() can rebuild the model. */
export interface WeightsMeta {
  format: 'glioflow-weights';
  model: ModelName;
  size: number;
  grn: boolean;
  epoch: number;
}

interface CheckpointState {
  version: 1;
  fingerprint: string;
  epoch: number;
  history: HistoryRow[];
  posWeight: number[] | null;
  best: { epoch: number; loss: number } | null;
  optimizerStep: number;
  weightsFile: string;
  optimizerFile: string;
}

const STATE = 'state.json';
const BEST = 'best.gft';

function fingerprintOf(p: ResolvedTrainParams): string {
  // Epochs are left out on purpose: a finished 10-epoch run can be extended to 20 by resuming; threads because they
  // do not change the result.
  const { epochs: _epochs, threads: _threads, ...rest } = p;
  return JSON.stringify(rest);
}

/** Re-chunks whatever the source yields into batches of exactly `size` rows (the last may be smaller). */
async function* rebatch(source: AsyncIterable<Batch>, batchSize: number): AsyncGenerator<Batch> {
  let xs: Float32Array[] = [];
  let ys: Float32Array[] = [];
  let rows = 0;
  let img = 0;
  let pixels = 0;
  const flush = (n: number): Batch => {
    const x = new Float32Array(n * pixels);
    const y = new Float32Array(n * LABELS.length);
    let xo = 0;
    let yo = 0;
    while (xo < x.length) {
      const a = xs[0]!;
      const b = ys[0]!;
      const take = Math.min(a.length, x.length - xo);
      x.set(a.subarray(0, take), xo);
      const yTake = (take / pixels) * LABELS.length;
      y.set(b.subarray(0, yTake), yo);
      xo += take;
      yo += yTake;
      if (take === a.length) {
        xs.shift();
        ys.shift();
      } else {
        xs[0] = a.subarray(take);
        ys[0] = b.subarray(yTake);
      }
    }
    rows -= n;
    return { x, y, n, size: img };
  };
  for await (const b of source) {
    if (b.n === 0) continue;
    if (img !== 0 && b.size !== img) throw new Error(`batch size changed from ${img} to ${b.size} pixels within a split`);
    img = b.size;
    pixels = img * img;
    if (b.x.length !== b.n * pixels || b.y.length !== b.n * LABELS.length) {
      throw new Error(`malformed batch: n=${b.n}, size=${b.size}, x has ${b.x.length} values, y has ${b.y.length}`);
    }
    xs.push(b.x);
    ys.push(b.y);
    rows += b.n;
    while (rows >= batchSize) yield flush(batchSize);
  }
  if (rows > 0) yield flush(rows);
  xs = [];
  ys = [];
}

/**
 * The model's weights for a tensor file, each read when the writer reaches it: a checkpoint of ViT (85 M weights)
 * held all of them as JS copies at once, ~340 MB on top of the training process's peak.
 */
function weightsData(model: tf.LayersModel): TensorToWrite[] {
  return model.weights.map((w) => ({ shape: w.shape as number[], data: () => w.read().dataSync() as Float32Array }));
}

function setWeights(model: tf.LayersModel, tensors: TensorData[], file: string): Result<void, GlioflowError> {
  const ws = model.weights;
  if (tensors.length !== ws.length) {
    return err({ kind: 'checkpoint-mismatch', message: `${file} holds ${tensors.length} tensors, the model has ${ws.length}`, location: { file } });
  }
  for (let i = 0; i < ws.length; i++) {
    const want = ws[i]!.shape.join('x');
    const got = tensors[i]!.shape.join('x');
    if (want !== got) return err({ kind: 'checkpoint-mismatch', message: `${file}: tensor ${i} (${ws[i]!.name}) is ${got}, the model wants ${want}`, location: { file } });
  }
  model.setWeights(tensors.map((t) => tf.tensor(t.data, t.shape)));
  return ok(undefined);
}

interface EpochPass {
  loss: number;
  rows: number;
  probs: Float32Array;
  labels: Float32Array;
  trainSeconds: number;
}

function concatF32(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function metricColumns(split: Split, pass: EpochPass | null): Record<string, number | null> {
  const row: Record<string, number | null> = {};
  LABELS.forEach((l, i) => {
    row[`${split}_acc_${l}`] = pass === null ? null : accuracyAt(pass.probs, pass.labels, LABELS.length, i);
  });
  LABELS.forEach((l, i) => {
    row[`${split}_auroc_${l}`] = pass === null ? null : aurocOf(pass.probs, pass.labels, LABELS.length, i);
  });
  return row;
}

class Aborted extends Error {}

/** Trains `params.model`; see the file comment. Resumes from `checkpointDir` when it holds a matching checkpoint. */
export async function train(
  params: TrainParams,
  source: BatchSource,
  checkpointDir: string,
  callbacks: TrainCallbacks = {},
): Promise<Result<TrainOutcome, GlioflowError>> {
  const p = resolveTrainParams(params);
  const fingerprint = fingerprintOf(p);
  await mkdir(checkpointDir, { recursive: true });
  const statePath = join(checkpointDir, STATE);

  let model: tf.LayersModel;
  try {
    model = buildModel(p.model, { size: p.size, seed: p.seed, grn: p.grn });
  } catch (e) {
    return err(toGlioflowError(e, { kind: 'model-build-failed', item: p.model }));
  }
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = new TorchAdam(vars, { kind: p.optimizer, lr: p.lr, weightDecay: p.weightDecay });
  let helpers: GradientHelpers | undefined;

  try {
    // Data parallel only where it can help: several pieces per step, and wasm (one thread per process; the native
    // backends use every core already).
    const plan = trainPlan(params);
    const pieces = plan.pieces;
    // A worker holds a model copy, its own wasm heap and two gradient slots (processBytes); use at most half the
    // machine's memory (total, not free: free memory is mostly page cache on macOS and Linux alike, and would keep busy
    // machines at one thread for no reason).
    let threads = Math.min(p.threads, pieces);
    while (threads > 1 && processBytes(p.model, plan, threads) > totalmem() * 0.5) threads--;
    let threadsNote: string | undefined = threads < Math.min(p.threads, pieces) ? `${threads} thread(s), not ${Math.min(p.threads, pieces)}: memory` : undefined;
    if (threads > 1 && tf.getBackend() === 'wasm') {
      try {
        helpers = await GradientHelpers.start(threads, { model: p.model, size: p.size, seed: p.seed, grn: p.grn }, vars.reduce((a, v) => a + v.size, 0));
        if (!helpers) threadsNote = 'gradient workers unavailable (no built gradient-worker.js): one thread';
      } catch (e) {
        // Only speed is lost: the pieces give the same result on one thread.
        threadsNote = `gradient workers failed to start (${e instanceof Error ? e.message : String(e)}): one thread`;
      }
    }
    // Batch norm over pieces computed at once on several threads: the threads decide the statistics' float order, so
    // they are part of the stage's key (batch_norm_threads). Fewer threads than planned would be another result under
    // the same key: refuse instead of training it silently.
    if (tf.getBackend() === 'wasm') {
      const refused = batchNormThreadsRefusal(p.model, p.batchNorm, pieces, helpers?.threads ?? 1, threadsNote);
      if (refused !== null) return err(refused);
    }
    let state: CheckpointState | null = null;
    if (existsSync(statePath)) {
      const loaded = await loadCheckpoint(statePath, checkpointDir, fingerprint, model, opt);
      if (!loaded.ok) return loaded;
      state = loaded.value;
    }
    const resumedAfterEpoch = state?.epoch ?? null;
    let posWeight: number[] | null;
    if (state !== null) posWeight = state.posWeight;
    else if (p.posWeight === 'none') posWeight = null;
    else if (p.posWeight === 'auto') posWeight = await prevalenceWeights(source);
    else posWeight = p.posWeight;
    const history = state?.history ?? [];
    let best = state?.best ?? null;
    let batchesPerEpoch: number | null = source.count ? Math.ceil(source.count('train') / p.batchSize) : null;

    for (let epoch = (state?.epoch ?? 0) + 1; epoch <= p.epochs; epoch++) {
      const t0 = performance.now();
      const trainPass = await runEpoch(model, source, 'train', epoch, p.batchSize, p.microBatch, p.batchNorm ?? 'batch', posWeight, helpers, (b, loss, rows, secs) => {
        if (callbacks.signal?.aborted) throw new Aborted();
        callbacks.onBatch?.({ epoch, batch: b, batches: batchesPerEpoch, loss, imagesPerSecond: rows / Math.max(secs, 1e-9) });
      }, opt, callbacks.signal);
      if (trainPass.rows === 0) return err({ kind: 'no-training-data', message: `epoch ${epoch}: the batch source yielded no training rows` });
      batchesPerEpoch = Math.ceil(trainPass.rows / p.batchSize);
      const valPass = await runEpoch(model, source, 'val', epoch, p.batchSize, inferenceRows(plan), 'batch', posWeight, undefined, () => {
        if (callbacks.signal?.aborted) throw new Aborted();
      }, null, callbacks.signal);
      const val = valPass.rows > 0 ? valPass : null;
      const row = {
        epoch,
        train_loss: trainPass.loss,
        val_loss: val === null ? null : val.loss,
        seconds: (performance.now() - t0) / 1000,
        images_per_s: trainPass.rows / Math.max(trainPass.trainSeconds, 1e-9),
        ...metricColumns('train', trainPass),
        ...metricColumns('val', val),
      } as HistoryRow;
      history.push(row);
      const selectLoss = row.val_loss ?? row.train_loss;
      const improved = isImprovement(selectLoss, best);
      if (improved) best = { epoch, loss: selectLoss };
      await saveCheckpoint(checkpointDir, { version: 1, fingerprint, epoch, history, posWeight, best: best!, optimizerStep: opt.step, weightsFile: '', optimizerFile: '' }, model, opt, improved ? { model: p.model, size: p.size, grn: p.grn } : null, state);
      state = JSON.parse(await readFile(statePath, 'utf8')) as CheckpointState;
      callbacks.onEpoch?.(row);
    }
    if (best === null) return err({ kind: 'no-epochs', message: `nothing to train: epochs = ${p.epochs}` });
    return ok({
      history,
      threads: helpers?.threads ?? 1,
      ...(threadsNote === undefined ? {} : { threadsNote }),
      microBatch: p.microBatch,
      bestEpoch: best.epoch,
      bestWeightsPath: join(checkpointDir, BEST),
      posWeight,
      parameters: countParameters(model),
      resumedAfterEpoch,
    });
  } catch (e) {
    if (e instanceof Aborted) return err({ kind: 'aborted', message: 'training aborted; rerun to resume from the last finished epoch', hint: `checkpoint in ${checkpointDir}` });
    return err(toGlioflowError(e, { kind: 'training-failed', item: p.model }));
  } finally {
    await helpers?.close();
    opt.dispose();
    model.dispose();
  }
}

/**
 * A model whose batch norm shares its statistics over the pieces of a step computed at once, one per thread: the
 * thread count is in its key (batch_norm_threads), so fewer threads than pieces (workers that did not start, memory)
 * must not train it with other statistics under that key. The error says why, and how to train on one thread.
 */
export function batchNormThreadsRefusal(model: string, batchNorm: 'batch' | 'piece' | null, pieces: number, ran: number, why: string | undefined): GlioflowError | null {
  if (batchNorm !== 'batch' || pieces < 2 || ran === pieces) return null;
  return {
    kind: 'batch-norm-threads',
    message: `${model}'s batch norm shares its statistics over ${pieces} threads (its cache key says so), but ${ran} ran: ${why ?? 'unknown reason'}`,
    hint: 'set GLIOFLOW_TRAIN_THREADS=1 to train it on one thread (under another key)',
  };
}

/**
 * Whether an epoch's selection loss beats the best so far. A NaN (or, read back from a checkpoint, null) loss never
 * does, and any finite loss beats one: a diverged first epoch must not stay "best" forever.
 */
export function isImprovement(loss: number, best: { loss: number | null } | null): boolean {
  if (best === null) return true;
  if (!Number.isFinite(loss)) return false;
  return best.loss === null || !Number.isFinite(best.loss) || loss < best.loss;
}

/** Rows per inference pass: activations are not kept for gradients, so twice a training piece's rows (at most 64). */
export function inferenceRows(plan: StepPlan): number {
  return Math.min(64, plan.maxRows * 2);
}

async function prevalenceWeights(source: BatchSource): Promise<number[]> {
  // Labels only; epoch 0 is never trained, so this pass cannot disturb the shuffles of real epochs.
  const parts: Float32Array[] = [];
  for await (const b of source.epochBatches('train', 0)) parts.push(b.y.slice(0, b.n * LABELS.length));
  return positiveWeights(concatF32(parts), LABELS.length);
}

async function runEpoch(
  model: tf.LayersModel,
  source: BatchSource,
  split: Split,
  epoch: number,
  batchSize: number,
  microBatch: number,
  batchNorm: 'batch' | 'piece',
  posWeight: number[] | null,
  helpers: GradientHelpers | undefined,
  tick: (batch: number, loss: number, rows: number, seconds: number) => void,
  opt: TorchAdam | null,
  signal: AbortSignal | undefined,
): Promise<EpochPass> {
  const probs: Float32Array[] = [];
  const labels: Float32Array[] = [];
  let lossSum = 0;
  let rows = 0;
  let b = 0;
  let trainMs = 0;
  const pw = posWeight ?? undefined;
  for await (const batch of rebatch(source.epochBatches(split, epoch), batchSize)) {
    if (signal?.aborted) throw new Aborted();
    b++;
    const t = performance.now();
    const x = tf.tensor4d(batch.x, [batch.n, batch.size, batch.size, 1]);
    const y = tf.tensor2d(batch.y, [batch.n, LABELS.length]);
    let loss: number;
    let pr: Float32Array;
    if (opt !== null) {
      // Dropout masks are a function of (layer seed, step): a resumed run draws the same ones.
      const r = await trainStep(model, opt, x, y, pw, epoch * 1_000_000 + b, microBatch > 0 ? microBatch : undefined, helpers, batchNorm);
      loss = r.loss;
      pr = r.probs;
    } else {
      // inference in pieces of `microBatch` rows (inferenceRows), the loss a row-weighted mean of theirs
      const step = microBatch > 0 ? microBatch : batch.n;
      pr = new Float32Array(batch.n * LABELS.length);
      loss = 0;
      for (let start = 0; start < batch.n; start += step) {
        const rowsHere = Math.min(step, batch.n - start);
        const [l, pT] = tf.tidy(() => {
          const xi = rowsHere === batch.n ? x : x.slice([start, 0, 0, 0], [rowsHere, -1, -1, -1]);
          const yi = rowsHere === batch.n ? y : y.slice([start, 0], [rowsHere, -1]);
          const logits = model.apply(xi, { training: false }) as tf.Tensor;
          return [bceWithLogits(logits, yi, pw), tf.sigmoid(logits)];
        });
        loss += (await l.data())[0]! * (rowsHere / batch.n);
        pr.set((await pT.data()) as Float32Array, start * LABELS.length);
        tf.dispose([l, pT]);
      }
    }
    tf.dispose([x, y]);
    trainMs += performance.now() - t;
    probs.push(pr);
    labels.push(batch.y);
    lossSum += loss * batch.n;
    rows += batch.n;
    tick(b, loss, rows, trainMs / 1000);
  }
  return { loss: rows > 0 ? lossSum / rows : NaN, rows, probs: concatF32(probs), labels: concatF32(labels), trainSeconds: trainMs / 1000 };
}

async function saveCheckpoint(
  dir: string,
  s: CheckpointState,
  model: tf.LayersModel,
  opt: TorchAdam,
  bestMeta: Omit<WeightsMeta, 'format' | 'epoch'> | null,
  previous: CheckpointState | null,
): Promise<void> {
  const weights = weightsData(model);
  const weightsFile = `weights-e${s.epoch}.gft`;
  const optimizerFile = `optimizer-e${s.epoch}.gft`;
  await writeTensorFile(join(dir, weightsFile), { epoch: s.epoch }, weights);
  await writeTensorFile(join(dir, optimizerFile), { step: opt.step }, opt.state());
  if (bestMeta !== null) {
    const meta: WeightsMeta = { format: 'glioflow-weights', ...bestMeta, epoch: s.epoch };
    await writeTensorFile(join(dir, BEST), meta, weights);
  }
  const statePath = join(dir, STATE);
  const tmp = `${statePath}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify({ ...s, weightsFile, optimizerFile }, null, 1));
  await rename(tmp, statePath); // the commit point
  if (previous !== null && previous.weightsFile !== weightsFile) {
    await removeQuietly(join(dir, previous.weightsFile));
    await removeQuietly(join(dir, previous.optimizerFile));
  }
}

async function loadCheckpoint(
  statePath: string,
  dir: string,
  fingerprint: string,
  model: tf.LayersModel,
  opt: TorchAdam,
): Promise<Result<CheckpointState, GlioflowError>> {
  let s: CheckpointState;
  try {
    s = JSON.parse(await readFile(statePath, 'utf8')) as CheckpointState;
  } catch (e) {
    return err({ kind: 'checkpoint-corrupt', message: `cannot parse ${statePath}: ${(e as Error).message}`, location: { file: statePath } });
  }
  if (s.fingerprint !== fingerprint) {
    return err({
      kind: 'checkpoint-mismatch',
      message: `the checkpoint in ${dir} was made with other training parameters`,
      location: { file: statePath },
      hint: 'use another checkpoint directory, or delete this one to start over',
    });
  }
  const w = await readTensorFile<{ epoch: number }>(join(dir, s.weightsFile));
  if (!w.ok) return w;
  const set = setWeights(model, w.value.tensors, s.weightsFile);
  if (!set.ok) return set;
  const o = await readTensorFile<{ step: number }>(join(dir, s.optimizerFile));
  if (!o.ok) return o;
  try {
    opt.restore(s.optimizerStep, o.value.tensors.map((t) => t.data));
  } catch (e) {
    return err(toGlioflowError(e, { kind: 'checkpoint-mismatch', location: { file: join(dir, s.optimizerFile) } }));
  }
  return ok(s);
}

/** Rebuilds the model a weights file describes and loads its weights. The caller disposes the model. */
export async function loadWeights(path: string): Promise<Result<{ model: tf.LayersModel; meta: WeightsMeta }, GlioflowError>> {
  const f = await readTensorFile<WeightsMeta>(path);
  if (!f.ok) return f;
  const meta = f.value.meta;
  if (meta?.format !== 'glioflow-weights') return err({ kind: 'checkpoint-corrupt', message: `${path} is not a glioflow weights file`, location: { file: path } });
  const model = buildModel(meta.model, { size: meta.size, grn: meta.grn });
  const set = setWeights(model, f.value.tensors, path);
  if (!set.ok) {
    model.dispose();
    return set;
  }
  return ok({ model, meta });
}

/** Per-row probabilities (sigmoid of the logits; label order TP53, PTEN, EGFR, IDH) for every row of `batches`. */
export async function predict(weightsPath: string, batches: AsyncIterable<Batch>): Promise<Result<Float32Array[], GlioflowError>> {
  const loaded = await loadWeights(weightsPath);
  if (!loaded.ok) return loaded;
  const { model, meta } = loaded.value;
  const out: Float32Array[] = [];
  const rowsPerPass = inferenceRows(planStep(meta.model, meta.size, 64));
  try {
    for await (const b of batches) {
      if (b.size !== meta.size) {
        return err({ kind: 'size-mismatch', message: `the model was trained at ${meta.size}×${meta.size}, the batch is ${b.size}×${b.size}`, location: { file: weightsPath } });
      }
      // in pieces that fit the heap (inferenceRows)
      for (let start = 0; start < b.n; start += rowsPerPass) {
        const rows = Math.min(rowsPerPass, b.n - start);
        const pixels = b.size * b.size;
        const probs = tf.tidy(() => tf.sigmoid(model.apply(tf.tensor4d(b.x.subarray(start * pixels, (start + rows) * pixels), [rows, b.size, b.size, 1]), { training: false }) as tf.Tensor));
        const d = (await probs.data()) as Float32Array;
        probs.dispose();
        for (let r = 0; r < rows; r++) out.push(d.slice(r * LABELS.length, (r + 1) * LABELS.length));
      }
    }
    return ok(out);
  } catch (e) {
    return err(toGlioflowError(e, { kind: 'predict-failed', location: { file: weightsPath } }));
  } finally {
    model.dispose();
  }
}
