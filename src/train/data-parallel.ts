// Data-parallel gradients on threads: the wasm backend runs one thread per process, so a training step whose batch is
// split into pieces (micro-batches) can compute some pieces on gradient workers (gradient-worker.ts) while the main
// thread computes the others. Weights go to the workers through shared memory once per step; each piece computed by a
// worker comes back in its own shared slot, and the step sums all pieces in piece order — the same sum, bit for bit,
// as computing them one after another on one thread (tested), so the thread count never changes a result.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import type { GradientWorkerInit, PieceTask, WorkerReply } from './gradient-worker.js';
import { BatchStatsExchange } from './batch-stats-exchange.js';
import { readValues } from './heap-view.js';
import type { ModelName } from './models.js';

/** The worker's compiled module. From TypeScript sources (tests), the build in dist/ is used: workers cannot load .ts. */
function workerFile(): string | undefined {
  // named with new URL(…, import.meta.url) so that the code fingerprint of the stages that train covers the worker
  const path = fileURLToPath(new URL('./gradient-worker.js', import.meta.url));
  const built = import.meta.url.endsWith('.ts') ? path.replace(/[\\/]src[\\/]train[\\/]/, '/dist/train/') : path;
  return existsSync(built) ? built : undefined;
}

interface Pending {
  resolve(r: { loss: number; probs: Float32Array }): void;
  reject(e: Error): void;
}

class GradientWorker {
  private queue: Pending[] = [];
  private failed: Error | undefined;
  constructor(readonly worker: Worker) {
    // constructed once the worker said 'ready': every message now answers a piece
    worker.on('message', (m: WorkerReply) => {
      const p = this.queue.shift();
      if (!p) return;
      if (m.type === 'piece') p.resolve({ loss: m.loss, probs: m.probs });
      else p.reject(new Error(m.type === 'error' ? m.message : `unexpected '${m.type}' from a gradient worker`));
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`gradient worker exited (code ${code})`)));
  }
  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.queue.splice(0)) p.reject(e);
  }
  /** Why this worker can take no more pieces (it failed or exited), if so. */
  get failure(): Error | undefined {
    return this.failed;
  }
  run(task: PieceTask): Promise<{ loss: number; probs: Float32Array }> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.worker.postMessage(task, [task.x.buffer as ArrayBuffer, task.y.buffer as ArrayBuffer]);
    });
  }
}

export class GradientHelpers {
  private version = 0;
  private readonly slots = new Map<number, SharedArrayBuffer>();

  private constructor(
    private readonly workers: GradientWorker[],
    private readonly weights: Float32Array,
    private readonly parameters: number,
    /** the main thread's end (rank 0) of the batch statistics exchange (synchronised batch norm) */
    readonly batchStats: BatchStatsExchange,
  ) {}

  /** Threads in all, the main thread included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `threads - 1` workers with the same model; resolves when every one is ready. Returns undefined when the
   * workers cannot run here (no built worker module), so callers fall back to one thread.
   */
  static async start(threads: number, spec: { model: ModelName; size: number; seed: number; grn: boolean }, parameters: number): Promise<GradientHelpers | undefined> {
    const file = workerFile();
    if (threads < 2 || !file) return undefined;
    const weights = new SharedArrayBuffer(parameters * 4);
    const batchStats = BatchStatsExchange.buffer(threads);
    const workers = Array.from({ length: threads - 1 }, (_, i) => new Worker(file, { workerData: { ...spec, weights, batchStats, rank: i + 1, threads } satisfies GradientWorkerInit }));
    try {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              worker.once('message', (m: WorkerReply) => {
                // A worker built from another version of the model code (a stale dist/) would compute wrong gradients.
                if (m.type === 'ready' && m.parameters !== parameters) reject(new Error(`gradient worker's model has ${m.parameters} weights, this one ${parameters}: rebuild (npm run build)`));
                else if (m.type === 'ready') resolve();
                else reject(new Error(m.type === 'error' ? m.message : 'unexpected message'));
              });
              worker.once('error', reject);
              worker.once('exit', (code) => reject(new Error(`gradient worker exited (code ${code}) before it was ready`)));
            }),
        ),
      );
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new GradientHelpers(workers.map((w) => new GradientWorker(w)), new Float32Array(weights), parameters, new BatchStatsExchange(batchStats, 0, threads));
  }

  /** The first failure of a worker (it can take no more pieces), if any. */
  failure(): Error | undefined {
    return this.workers.find((w) => w.failure !== undefined)?.failure;
  }

  /** Copies the current weights to shared memory (once per step, before the pieces). */
  publish(vars: readonly tf.Variable[]): void {
    let offset = 0;
    for (const v of vars) {
      this.weights.set(readValues(v), offset); // straight from the wasm heap: no copy in between
      offset += v.size;
    }
    this.version++;
  }

  /** Which thread computes piece k: 0 = the main thread. */
  threadOf(piece: number): number {
    return piece % this.threads;
  }

  /**
   * Starts piece k on its worker; the gradients land in the piece's slot (see `slot`). `batchStatsWeight`: the
   * piece's share of the step's rows when its batch statistics are shared with the other threads' pieces (then every
   * thread must be computing one piece of the same step at once).
   */
  run(piece: number, x: Float32Array, y: Float32Array, rows: number, posWeight: readonly number[] | undefined, randomStep: number, firstRow: number, batchStatsWeight?: number): Promise<{ loss: number; probs: Float32Array }> {
    const worker = this.workers[this.threadOf(piece) - 1];
    if (!worker) throw new Error(`piece ${piece} belongs to the main thread`);
    return worker.run({ type: 'piece', weightsVersion: this.version, x, y, rows, posWeight: posWeight ? [...posWeight] : null, randomStep, firstRow, slot: this.slot(piece), batchStatsWeight: batchStatsWeight ?? null });
  }

  /**
   * Piece k's gradients, all weights back to back (valid once its run resolved). Two slots per worker, alternating
   * over its pieces: the step starts a worker's next piece only after summing the one before last (step.ts).
   */
  slot(piece: number): SharedArrayBuffer {
    const key = this.threadOf(piece) * 2 + (Math.floor(piece / this.threads) % 2);
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = new SharedArrayBuffer(this.parameters * 4)));
    return s;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
