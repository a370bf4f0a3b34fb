// A gradient worker (worker thread) for data-parallel training on the wasm backend, which runs one thread per
// process: it builds the same model, takes the current weights from shared memory, computes the gradient of the
// pieces of a step it is given, and writes each into its own shared slot. The main thread sums the pieces in piece
// order and applies the optimizer, so the result does not depend on how many threads computed them.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { defaultLoaders } from './backend.js';
import { readValues } from './heap-view.js';
import { buildModel, type ModelName } from './models.js';
import { pieceGradient, type PieceResult } from './piece-gradient.js';
import { withSyncedBatchStats } from './sync-batch-norm.js';
import { BatchStatsExchange } from './batch-stats-exchange.js';

export interface GradientWorkerInit {
  model: ModelName;
  size: number;
  seed: number;
  grn: boolean;
  /** current weights, all trainable weights back to back in weight order */
  weights: SharedArrayBuffer;
  /** the batch statistics exchange's shared memory, this worker's rank in it (the main thread is 0), and its size */
  batchStats: SharedArrayBuffer;
  rank: number;
  threads: number;
}

export interface PieceTask {
  type: 'piece';
  /** bumped by the main thread whenever the weights in shared memory changed */
  weightsVersion: number;
  x: Float32Array;
  y: Float32Array;
  rows: number;
  posWeight: number[] | null;
  randomStep: number;
  /** the piece's first row in its batch (dropout masks are drawn per row) */
  firstRow: number;
  /** where to write this piece's gradients (same layout as the weights) */
  slot: SharedArrayBuffer;
  /** the piece's share of the step's rows, when its batch statistics are shared with the other threads' pieces */
  batchStatsWeight: number | null;
}

export type WorkerReply = { type: 'ready'; parameters: number } | { type: 'piece'; loss: number; probs: Float32Array } | { type: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('gradient-worker.js runs as a worker thread');
const init = workerData as GradientWorkerInit;

const loaded = await defaultLoaders.wasm();
if (!loaded.ok) {
  port.postMessage({ type: 'error', message: `wasm backend in a gradient worker: ${loaded.message}` } satisfies WorkerReply);
} else {
  const model = buildModel(init.model, { size: init.size, seed: init.seed, grn: init.grn });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const weights = new Float32Array(init.weights);
  const batchStats = new BatchStatsExchange(init.batchStats, init.rank, init.threads);
  let version = -1;
  port.on('message', (task: PieceTask) => {
    try {
      if (task.weightsVersion !== version) {
        let offset = 0;
        for (const v of vars) {
          const t = tf.tensor(weights.subarray(offset, offset + v.size), v.shape, 'float32');
          v.assign(t);
          t.dispose();
          offset += v.size;
        }
        version = task.weightsVersion;
      }
      const x = tf.tensor4d(task.x, [task.rows, init.size, init.size, 1]);
      const y = tf.tensor2d(task.y, [task.rows, task.y.length / task.rows]);
      const piece = (): PieceResult => pieceGradient(model, vars, x, y, task.posWeight ?? undefined, task.randomStep, task.firstRow);
      const r = task.batchStatsWeight === null ? piece() : withSyncedBatchStats(batchStats, task.batchStatsWeight, piece);
      const slot = new Float32Array(task.slot);
      let offset = 0;
      r.grads.forEach((g) => {
        slot.set(readValues(g), offset); // straight from the wasm heap: no copy in between
        offset += g.size;
      });
      tf.dispose([x, y, ...r.grads]);
      port.postMessage({ type: 'piece', loss: r.loss, probs: r.probs } satisfies WorkerReply, [r.probs.buffer as ArrayBuffer]);
    } catch (e) {
      // the other threads of a synchronised step would otherwise wait for this one's statistics (they cannot see
      // this message while they wait)
      if (task.batchStatsWeight !== null) batchStats.abort();
      port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
    }
  });
  port.postMessage({ type: 'ready', parameters: vars.reduce((a, v) => a + v.size, 0) } satisfies WorkerReply);
}
