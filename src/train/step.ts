// One optimisation step, shared by the trainer and the speed benchmark so the benchmark measures what training does.
// A batch may be split into pieces (micro-batches) whose gradients are summed, weighted by rows, in piece order
// before the single Adam update: the same step mathematically for models without batch norm. Splitting bounds the
// activation memory the gradient tape holds (ViT at 64×64 batch 32 needs more than the 4 GB wasm heap in one piece),
// and lets gradient workers (data-parallel.ts) compute some pieces on other threads. The pieces, their dropout seeds
// and the order of the sum do not depend on which thread computed a piece, so neither does the result.
import * as tf from '@tensorflow/tfjs';
import type { GradientHelpers } from './data-parallel.js';
import { readValues } from './heap-view.js';
import type { TorchAdam } from './optimizer.js';
import { pieceGradient, type PieceResult } from './piece-gradient.js';
import { usesBatchStatistics, withSyncedBatchStats } from './sync-batch-norm.js';

export interface StepResult {
  loss: number;
  /** Sigmoid outputs of the training-mode forward pass, n×4. */
  probs: Float32Array;
}

function slice(t: tf.Tensor, start: number, rows: number): tf.Tensor {
  const begin = t.shape.map((_, i) => (i === 0 ? start : 0));
  const size = t.shape.map((d, i) => (i === 0 ? rows : d));
  return tf.slice(t, begin, size);
}

/**
 * Rows per piece for a model with batch norm: one piece per thread, all at once, sharing their statistics
 * (sync-batch-norm.ts), when there are helpers and the batch splits into exactly that many pieces; else the whole
 * batch on this thread.
 */
function syncedPiece(n: number, helpers: GradientHelpers | undefined): number {
  const threads = helpers?.threads ?? 1;
  if (threads < 2 || n < threads) return n;
  const piece = Math.ceil(n / threads);
  return Math.ceil(n / piece) === threads ? piece : n;
}

/**
 * The main thread's piece of a synchronised step. If it fails, the exchange is aborted so the workers stop waiting
 * for it; if a worker failed (which aborts the exchange here), its own error is the one reported.
 */
async function syncedMainPiece(helpers: GradientHelpers, weight: number, remote: Map<number, Promise<unknown>>, piece: () => PieceResult): Promise<PieceResult> {
  // a worker already gone would never hand in its statistics
  const gone = helpers.failure();
  if (gone) {
    helpers.batchStats.abort(); // the other workers, if any, are waiting for it too
    throw gone;
  }
  try {
    return withSyncedBatchStats(helpers.batchStats, weight, piece);
  } catch (e) {
    helpers.batchStats.abort();
    for (const r of await Promise.allSettled(remote.values())) if (r.status === 'rejected') throw r.reason;
    throw e;
  }
}

/**
 * Forward in training mode, BCE on logits, gradients, Adam update. `step` seeds the dropout masks (drawn per row, so
 * pieces draw what the whole batch would). `microBatch` (rows) splits the batch; omit it, or pass ≥ n, for one piece.
 * Models with batch norm ignore it unless `batchNorm` is 'piece' (each piece normalised by its own rows, where a whole
 * batch does not fit the heap: step-plan.ts): else their pieces are one per thread of `helpers`, sharing their
 * statistics (syncedPiece). `helpers` computes some of the pieces on other threads.
 */
export async function trainStep(
  model: tf.LayersModel,
  opt: TorchAdam,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  posWeight: readonly number[] | undefined,
  step: number,
  microBatch?: number,
  helpers?: GradientHelpers,
  batchNorm: 'batch' | 'piece' = 'batch',
): Promise<StepResult> {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const n = x.shape[0];
  const labels = y.shape[1];
  // With batch norm the pieces are the threads' (one each, computed at once, statistics shared): or the whole batch.
  const synced = usesBatchStatistics(model) && batchNorm === 'batch';
  const piece = synced ? syncedPiece(n, helpers) : microBatch === undefined || microBatch >= n ? n : Math.max(1, Math.floor(microBatch));
  if (piece === n) {
    const r = pieceGradient(model, vars, x, y, posWeight, step, 0);
    try {
      opt.apply(r.grads);
    } finally {
      tf.dispose(r.grads);
    }
    return { loss: r.loss, probs: r.probs };
  }

  const pieces = Math.ceil(n / piece);
  const rowsOf = (k: number): number => Math.min(piece, n - k * piece);
  // Pieces for other threads start first, on the weights of this step. Each worker has two gradient slots: its next
  // piece starts when the step has summed the one before last (pieces are summed in order), so memory stays at two
  // weight-sized slots per worker however many pieces a step has.
  const remote = new Map<number, Promise<{ loss: number; probs: Float32Array }>>();
  const queued = new Map<number, number[]>(); // thread → its pieces not started yet
  let launch = (_thread: number): void => undefined;
  if (helpers && helpers.threads > 1) {
    const h = helpers;
    h.publish(vars);
    const xs = x.dataSync() as Float32Array;
    const ys = y.dataSync() as Float32Array;
    const perRow = xs.length / n;
    for (let k = 0; k < pieces; k++) {
      const t = h.threadOf(k);
      if (t === 0) continue;
      if (!queued.has(t)) queued.set(t, []);
      queued.get(t)!.push(k);
    }
    launch = (t) => {
      const k = queued.get(t)?.shift();
      if (k === undefined) return;
      const start = k * piece;
      const rows = rowsOf(k);
      const p = h.run(k, xs.slice(start * perRow, (start + rows) * perRow), ys.slice(start * labels, (start + rows) * labels), rows, posWeight, step, start, synced ? rows / n : undefined);
      p.catch(() => undefined); // awaited in order below; this only keeps a failure from being "unhandled" meanwhile
      remote.set(k, p);
    };
    for (const t of queued.keys()) {
      launch(t);
      launch(t);
    }
  }

  const probs = new Float32Array(n * labels);
  let loss = 0;
  // The loss is a mean over rows: the batch gradient is the row-weighted sum of the piece gradients, in piece order,
  // summed by the optimizer's kernel where it keeps its moments.
  const add = (k: number, grad: (i: number) => Float32Array): void => opt.accumulate(grad, rowsOf(k) / n, k === 0);
  for (let k = 0; k < pieces; k++) {
    const start = k * piece;
    const rows = rowsOf(k);
    const pending = remote.get(k);
    if (pending) {
      const r = await pending;
      const slot = new Float32Array(helpers!.slot(k));
      let offset = 0;
      const views = vars.map((v) => {
        const view = slot.subarray(offset, offset + v.size);
        offset += v.size;
        return view;
      });
      add(k, (i) => views[i]!);
      launch(helpers!.threadOf(k)); // its slot is free again
      loss += r.loss * (rows / n);
      probs.set(r.probs, start * labels);
      continue;
    }
    const xi = slice(x, start, rows);
    const yi = slice(y, start, rows);
    const compute = (): PieceResult => pieceGradient(model, vars, xi, yi, posWeight, step, start);
    const r = synced ? await syncedMainPiece(helpers!, rows / n, remote, compute) : compute();
    add(k, (i) => readValues(r.grads[i]!)); // read at once by add(), which allocates nothing on the backend
    loss += r.loss * (rows / n);
    probs.set(r.probs, start * labels);
    tf.dispose([xi, yi, ...r.grads]);
  }
  opt.applySum();
  return { loss, probs };
}
