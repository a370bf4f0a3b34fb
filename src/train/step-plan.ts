// How a training step is cut into gradient pieces (micro-batches), decided before the first step from an estimate of
// the step's peak memory: a pure function of (model, image size, batch), never of the machine, so the pieces (which
// decide the float order of the gradient sum, and for batch norm the statistics) follow from keyed params alone.
//
// The constraint is tfjs's wasm heap: one WebAssembly memory of at most 4 GiB per thread, in which tfjs keeps every
// intermediate of a piece's forward pass until its gradients are done. Past 4 GiB an allocation fails and the backend
// aborts (emscripten's "Aborted()") or traps ("memory access out of bounds"). The estimate of one thread's heap for a piece of r rows is
//   fixed + r × perRow
// where `fixed` is what the parameters cost on the heap (weights, their gradients, the transposed copies of large
// dense weights the products keep) and `perRow` the activations one image leaves on the gradient tape at that size.
// Both were measured at 224×224 on wasm (bench/probe-step-memory.ts: heap size after two steps of one piece, at two
// piece sizes per model, 2026-12-06) and scale with the size as each architecture's activations do: convolutional
// feature maps with the pixels, VisionLSTM's tokens linearly, ViT's tokens linearly plus its attention maps (tokens²).
// Adam's moments are not on the heap (they live in the Adam kernel's own memory: 3 floats per weight), nor are the
// weights published to gradient workers and their gradient slots; `processBytes` adds them for a whole process.
import { REFERENCE_PARAMETER_COUNTS, type ModelName } from './model-facts.js';

const MiB = 2 ** 20;

/** The heap one piece may plan for: 4 GiB is the hard limit; the rest is margin for the estimate and fragmentation. */
export const HEAP_BUDGET_BYTES = 2.5 * 1024 * MiB;

/**
 * Measured at 224×224 (MiB of wasm heap): fixed, and per row split into a part linear in the model's spatial
 * units (pixels, or tokens) and, for ViT, a part in tokens² (attention maps). Two piece sizes each:
 * AlexNet2D 8 → 1140, 32 → 1464; SENet 1 → 710, 4 → 1917, 8 → 3381; ConvNeXtV2_2D 4 → 886, 16 → 3431;
 * VisionLSTM 2 → 358, 8 → 1201; ViT 1 → 1904, 2 → 2506, and at 64×64 (17 tokens) 8 → 1491, 16 → 1831.
 * Checked at other sizes (measured / estimated): SENet 64×64, 16 rows 808 / 924; ConvNeXtV2_2D 64×64, 32 rows
 * 646 / 592. The budget's margin (2.5 of 4 GiB) covers errors of that order.
 */
const MEASURED: Record<ModelName, { fixed: number; linear: number; quadratic: number }> = {
  AlexNet2D: { fixed: 1031, linear: 13.5, quadratic: 0 },
  SENet: { fixed: 445, linear: 367, quadratic: 0 },
  ConvNeXtV2_2D: { fixed: 38, linear: 212, quadratic: 0 },
  VisionLSTM: { fixed: 75, linear: 141, quadratic: 0 },
  // 602 MiB a row at 197 tokens, 42.6 at 17: 2.454·T + 0.00305·T² (per row, MiB)
  ViT: { fixed: 1302, linear: 2.454 * 197, quadratic: 0.00305 * 197 * 197 },
};

/** The model's spatial units at `size` relative to 224 (pixels, or tokens), and tokens² for attention. */
function scale(model: ModelName, size: number): { linear: number; quadratic: number } {
  if (model === 'ViT') {
    const tokens = Math.floor(size / 16) ** 2 + 1;
    return { linear: tokens / 197, quadratic: (tokens / 197) ** 2 };
  }
  if (model === 'VisionLSTM') return { linear: Math.floor(size / 16) ** 2 / 196, quadratic: 0 };
  return { linear: (size / 224) ** 2, quadratic: 0 };
}

export interface StepMemory {
  /** heap bytes a thread holds for the model whatever the rows */
  fixedBytes: number;
  /** heap bytes per row of a piece */
  perRowBytes: number;
}

/** The estimate of one thread's wasm heap for a piece of `rows` rows is fixedBytes + rows × perRowBytes. */
export function stepMemory(model: ModelName, size: number): StepMemory {
  const m = MEASURED[model];
  const s = scale(model, size);
  return { fixedBytes: m.fixed * MiB, perRowBytes: (m.linear * s.linear + m.quadratic * s.quadratic) * MiB };
}

/**
 * Models whose steps are split in two when memory does not force more pieces, so that two threads can share them.
 * SENet's two pieces share their batch norm statistics (sync-batch-norm.ts), so the split keeps whole-batch
 * normalisation. Not AlexNet2D: its fully connected layers read all 54 M weights for every piece whatever its rows,
 * so two threads were slower (measured at 64×64, batch 32: 6.5 images/s against 8.7–10.5 with one; again with the
 * Adam kernel, 10.5 against 15.8, 2026-12-01).
 */
export const SPLIT_IN_TWO: Record<ModelName, boolean> = { AlexNet2D: false, SENet: true, ConvNeXtV2_2D: true, VisionLSTM: true, ViT: true };

/** Models with batch norm: how their pieces are normalised depends on the plan (StepPlan.batchNorm). */
export const BATCH_NORM_MODELS: ReadonlySet<ModelName> = new Set(['SENet']);

export interface StepPlan {
  /** rows per gradient piece; 0 = the whole batch in one piece */
  microBatch: number;
  pieces: number;
  /** the most rows one piece may have by the estimate (at least 1) */
  maxRows: number;
  /**
   * For models with batch norm: 'batch' = statistics over the whole batch (one piece, or pieces computed at once on
   * as many threads, sharing their statistics); 'piece' = each piece normalised by its own rows (ghost batch norm),
   * because a whole batch's activations do not fit on the heaps. null for models without batch norm.
   */
  batchNorm: 'batch' | 'piece' | null;
  /** estimated peak of one thread's wasm heap (bytes) */
  heapBytes: number;
  /** what decided the pieces, in words */
  why: string;
}

/** Rows of the pieces a batch is cut into when a piece may hold at most `maxRows`: equal pieces where a divisor allows. */
function evenPiece(batch: number, maxRows: number): number {
  if (maxRows >= batch) return batch;
  for (let d = maxRows; d >= Math.ceil(maxRows / 2); d--) if (batch % d === 0) return d;
  return Math.ceil(batch / Math.ceil(batch / maxRows));
}

const gb = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GB`;

/**
 * The pieces of a step of `batch` rows for `model` at `size`. `microBatch` > 0 forces that many rows per piece (the
 * train stage's `micro_batch` param); otherwise: half the batch where SPLIT_IN_TWO, else the whole batch, unless the
 * estimate says that does not fit HEAP_BUDGET_BYTES; then the largest even piece that does. `threads` matters for
 * models with batch norm only: their pieces share whole-batch statistics when there is one piece per thread; on one
 * thread they run the whole batch as one piece where it fits, else each piece is normalised on its own.
 */
export function planStep(model: ModelName, size: number, batch: number, microBatch = 0, threads = 1): StepPlan {
  const mem = stepMemory(model, size);
  const maxRows = Math.max(1, Math.floor((HEAP_BUDGET_BYTES - mem.fixedBytes) / mem.perRowBytes));
  let rows: number;
  let why: string;
  if (microBatch > 0) {
    rows = Math.min(microBatch, batch);
    why = `micro_batch ${microBatch} (param)`;
  } else {
    const preferred = SPLIT_IN_TWO[model] && batch >= 2 ? Math.ceil(batch / 2) : batch;
    if (preferred <= maxRows) {
      rows = preferred;
      why = preferred === batch ? 'the whole batch fits the heap' : 'two pieces, one per thread';
    } else {
      rows = evenPiece(batch, maxRows);
      why = `the heap: ${preferred} rows would need ~${gb(mem.fixedBytes + preferred * mem.perRowBytes)} per thread, the budget is ${gb(HEAP_BUDGET_BYTES)} (wasm's limit 4 GB)`;
    }
  }
  let batchNorm: StepPlan['batchNorm'] = null;
  if (BATCH_NORM_MODELS.has(model)) {
    const pieces = Math.ceil(batch / rows);
    // one piece per thread, computed at once, sharing their statistics (the trainer starts min(threads, pieces))
    if (rows >= batch || (pieces >= 2 && threads >= pieces)) batchNorm = 'batch';
    else if (threads < 2 && microBatch === 0 && batch <= maxRows) {
      rows = batch; // one thread: the whole batch in one piece, as tf.layers.batchNormalization
      why = 'the whole batch fits the heap (one thread)';
      batchNorm = 'batch';
    } else batchNorm = 'piece';
  }
  return {
    microBatch: rows >= batch ? 0 : rows,
    pieces: Math.ceil(batch / rows),
    maxRows,
    batchNorm,
    heapBytes: mem.fixedBytes + Math.min(rows, batch) * mem.perRowBytes,
    why,
  };
}

/**
 * Estimated resident memory of a training process: `threads` heaps, Adam's moments and gradient sum (3 floats per
 * weight, in the Adam kernel's memory), and with gradient workers the published weights and two gradient slots per
 * worker (shared memory), plus ~0.4 GB for Node, tfjs and the data.
 */
export function processBytes(model: ModelName, plan: StepPlan, threads: number): number {
  const weights = REFERENCE_PARAMETER_COUNTS[model] * 4; // at 224; ViT's grows by 768 per extra token, negligible here
  const workers = Math.max(0, threads - 1);
  return threads * plan.heapBytes + 3 * weights + (workers > 0 ? weights * (1 + 2 * workers) : 0) + 0.4 * 2 ** 30;
}
