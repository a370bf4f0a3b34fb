// Training throughput of our implementation, per model, on the best available CPU-side backend (tensorflow if its
// native binding is installed, else wasm with our kernels): the same step the trainer runs (training-mode forward,
// BCE on logits, gradients, Adam), on synthetic data. Compare with bench/torch/train_speed.py (same size and batch).
import * as tf from '@tensorflow/tfjs';
import { err, ok, toGlioflowError, type GlioflowError, type Result } from '../engine/result.js';
import { selectBackend, type BackendName, type BackendRequest } from './backend.js';
import { GradientHelpers } from './data-parallel.js';
import { buildModel, LABELS, MODEL_NAMES, type ModelName } from './models.js';
import { planStep } from './step-plan.js';
import { TorchAdam } from './optimizer.js';
import { trainStep } from './step.js';

export interface SpeedOptions {
  models?: readonly ModelName[];
  size?: number;
  batch?: number;
  /** Timed steps after the warm-up. */
  steps?: number;
  warmup?: number;
  /** 'auto' by default; the GPU backend is skipped unless asked for by name (this measures the CPU path). */
  backend?: BackendRequest;
  /** Threads computing the pieces of a step (data parallel, wasm only; default 1). */
  threads?: number;
  onResult?(r: SpeedResult): void;
}

export interface SpeedResult {
  model: ModelName;
  backend: BackendName;
  size: number;
  batch: number;
  steps: number;
  seconds: number;
  imagesPerSecond: number;
  /** Rows per gradient piece, when the batch is split (the trainer's automatic choice). */
  microBatch?: number;
  /** Threads that computed the pieces. */
  threads: number;
}

export async function measureTrainingSpeed(options: SpeedOptions = {}): Promise<Result<SpeedResult[], GlioflowError>> {
  const size = options.size ?? 64;
  const batch = options.batch ?? 32;
  const steps = options.steps ?? 3;
  const warmup = options.warmup ?? 1;
  const requested = options.backend ?? 'auto';
  let backend: BackendName | null = null;
  if (requested === 'auto') {
    for (const b of ['tensorflow', 'wasm', 'cpu'] as const) {
      const r = await selectBackend(b);
      if (r.ok) {
        backend = r.value.name;
        break;
      }
    }
  } else {
    const r = await selectBackend(requested);
    if (!r.ok) return r;
    backend = r.value.name;
  }
  if (backend === null) return err({ kind: 'backend-unavailable', message: 'no CPU backend could be loaded' });
  const out: SpeedResult[] = [];
  for (const name of options.models ?? MODEL_NAMES) {
    let model: tf.LayersModel | null = null;
    let helpers: GradientHelpers | undefined;
    try {
      model = buildModel(name, { size, seed: 0 });
      const opt = new TorchAdam(model.trainableWeights.map((w) => w.read() as tf.Variable), { kind: 'adam', lr: 1e-4, weightDecay: 1e-5 });
      const x = tf.randomNormal([batch, size, size, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
      const y = tf.randomUniform([batch, LABELS.length], 0, 1, 'float32', 2).greater(0.5).cast('float32') as tf.Tensor2D;
      const plan = planStep(name, size, batch, 0, options.threads ?? 1);
      const micro = plan.microBatch > 0 ? plan.microBatch : undefined;
      const threads = Math.min(options.threads ?? 1, plan.pieces);
      helpers = threads > 1 && backend === 'wasm' ? await GradientHelpers.start(threads, { model: name, size, seed: 0, grn: false }, model.trainableWeights.reduce((a, w) => a + w.read().size, 0)) : undefined;
      for (let i = 0; i < warmup; i++) await trainStep(model, opt, x, y, undefined, i, micro, helpers, plan.batchNorm ?? 'batch');
      const t = performance.now();
      for (let i = 0; i < steps; i++) await trainStep(model, opt, x, y, undefined, warmup + i, micro, helpers, plan.batchNorm ?? 'batch');
      const seconds = (performance.now() - t) / 1000;
      tf.dispose([x, y]);
      const r: SpeedResult = { model: name, backend, size, batch, steps, seconds, imagesPerSecond: (steps * batch) / seconds, threads: helpers?.threads ?? 1, ...(micro === undefined ? {} : { microBatch: micro }) };
      out.push(r);
      options.onResult?.(r);
    } catch (e) {
      return err(toGlioflowError(e, { kind: 'bench-failed', item: name }));
    } finally {
      await helpers?.close();
      model?.dispose();
    }
  }
  return ok(out);
}
