// Data-parallel gradients: pieces of a step computed on gradient workers give the same weights, bit for bit, as the
// same pieces computed one after another on this thread — so the thread count never changes a result — and the
// trainer uses the workers when it is asked to, reports how many threads ran, and ends with the same history.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GradientHelpers } from '../../src/train/data-parallel.js';
import { buildModel, type ModelName } from '../../src/train/models.js';
import { TorchAdam } from '../../src/train/optimizer.js';
import { trainStep } from '../../src/train/step.js';
import { train, type BatchSource } from '../../src/train/trainer.js';
import { registerWasmKernels } from '../../src/train/wasm-kernels.js';
import { maxRelErr } from './compare.js';
import { BatchStatsExchange } from '../../src/train/batch-stats-exchange.js';
import { pieceGradient } from '../../src/train/piece-gradient.js';
import { withSyncedBatchStats } from '../../src/train/sync-batch-norm.js';

const SIZE = 16;

function batch(n: number, seed: number, size = SIZE): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(n * size * size);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37 + seed) + 0.3 * Math.cos(i * 1.3 - seed);
  const y = Float32Array.from({ length: n * 4 }, (_, i) => ((i * 7 + seed) % 5 < 2 ? 1 : 0));
  return { x, y };
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.trainableWeights.map((w) => (w.read().dataSync() as Float32Array).slice());
}

beforeAll(async () => {
  registerWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('data-parallel training steps', () => {
  it.each<[ModelName, number, number, number]>([
    ['ConvNeXtV2_2D', 16, 8, 4], // 2 pieces: one per thread
    ['VisionLSTM', 32, 6, 2], // 3 pieces over 2 threads: the main thread takes pieces 0 and 2
    ['ConvNeXtV2_2D', 16, 10, 1], // 10 pieces: the worker's five reuse its two gradient slots in turn
  ])('%s: 3 steps with 2 threads give the same weights, bit for bit, as 1 thread', async (name, size, n, piece) => {
    const spec = { model: name, size, seed: 3, grn: false };
    const serial = buildModel(name, spec);
    const parallel = buildModel(name, spec);
    const params = serial.trainableWeights.reduce((a, w) => a + w.read().size, 0);
    const helpers = await GradientHelpers.start(2, spec, params);
    expect(helpers, 'the gradient worker module is built (dist/train/gradient-worker.js)').toBeDefined();
    const vars = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
    const optS = new TorchAdam(vars(serial), { kind: 'adam', lr: 1e-3, weightDecay: 1e-5 });
    const optP = new TorchAdam(vars(parallel), { kind: 'adam', lr: 1e-3, weightDecay: 1e-5 });
    try {
      for (let step = 0; step < 3; step++) {
        const b = batch(n, step, size);
        const x = tf.tensor4d(b.x, [n, size, size, 1]);
        const y = tf.tensor2d(b.y, [n, 4]);
        const s = await trainStep(serial, optS, x, y, [1, 2, 1, 3], step, piece);
        const p = await trainStep(parallel, optP, x, y, [1, 2, 1, 3], step, piece, helpers);
        tf.dispose([x, y]);
        expect(p.loss).toBe(s.loss);
        expect(Buffer.from(p.probs.buffer).equals(Buffer.from(s.probs.buffer))).toBe(true);
      }
      const a = weightsOf(serial);
      const b = weightsOf(parallel);
      expect(b.length).toBe(a.length);
      a.forEach((w, i) => expect(Buffer.from(b[i]!.buffer).equals(Buffer.from(w.buffer)), `weight ${i}`).toBe(true));
      // and the step did move the weights
      const fresh = weightsOf(buildModel(name, spec));
      expect(fresh.some((w, i) => !Buffer.from(w.buffer).equals(Buffer.from(a[i]!.buffer)))).toBe(true);
    } finally {
      await helpers?.close();
      serial.dispose();
      parallel.dispose();
    }
  });

  // SENet's gradients at initialisation, on a few images, are ill-conditioned in float32: the same batch differs by
  // up to 8% between tfjs's cpu and wasm backends (measured, 32×32, 4 images), so a split step cannot be compared
  // with the whole batch's gradient by tolerance. Two checks that conditioning cannot blur instead: the forward pass
  // (statistics combined from different pieces: those of the whole batch, and not each piece's), and a batch of two
  // identical halves, whose synchronised step must give the bits of one half alone.
  describe('SENet (batch norm) on 2 threads, statistics synchronised', () => {
    const spec = { model: 'SENet' as const, size: 32, seed: 5, grn: false };
    const models: tf.LayersModel[] = [];
    let helpers: GradientHelpers | undefined;
    const vars = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
    const model = (): tf.LayersModel => {
      const m = buildModel('SENet', spec);
      models.push(m);
      return m;
    };
    beforeAll(async () => {
      const m = model();
      helpers = await GradientHelpers.start(2, spec, m.trainableWeights.reduce((a, w) => a + w.read().size, 0));
      expect(helpers).toBeDefined();
    });
    afterAll(async () => {
      await helpers?.close();
      for (const m of models) m.dispose();
    });

    it('normalises by the whole batch: loss and outputs of the split step are the whole batch\'s, not those of pieces normalised alone', async () => {
      const n = 8;
      const b = batch(n, 0, 32);
      const x = tf.tensor4d(b.x, [n, 32, 32, 1]);
      const y = tf.tensor2d(b.y, [n, 4]);
      const whole = model();
      const parallel = model();
      const alone = model();
      const adam = (m: tf.LayersModel) => new TorchAdam(vars(m), { kind: 'adam', lr: 1e-3, weightDecay: 0 });
      const w = await trainStep(whole, adam(whole), x, y, undefined, 0, 4); // one thread: the whole batch, whatever the pieces asked
      const p = await trainStep(parallel, adam(parallel), x, y, undefined, 0, 4, helpers);
      // each half normalised by its own statistics, as a split without synchronisation would
      const halves = [0, 4].map((start) => pieceGradient(alone, vars(alone), tf.slice(x, [start, 0, 0, 0], [4, 32, 32, 1]), tf.slice(y, [start, 0], [4, 4]), undefined, 0));
      const unsynced = new Float32Array(n * 4);
      halves.forEach((h, i) => unsynced.set(h.probs, i * 16));
      tf.dispose([x, y, ...halves.flatMap((h) => h.grads)]);
      expect(Math.abs(p.loss - w.loss)).toBeLessThan(1e-4 * Math.abs(w.loss));
      expect(maxRelErr(p.probs, w.probs)).toBeLessThan(1e-3);
      expect(maxRelErr(unsynced, w.probs)).toBeGreaterThan(1e-2);
    }, 120_000);

    it('two identical halves: the weights after the step are, bit for bit, those of one half on one thread', async () => {
      const half = batch(4, 1, 32);
      const x = tf.tensor4d(Float32Array.of(...half.x, ...half.x), [8, 32, 32, 1]);
      const y = tf.tensor2d(Float32Array.of(...half.y, ...half.y), [8, 4]);
      const x0 = tf.tensor4d(half.x, [4, 32, 32, 1]);
      const y0 = tf.tensor2d(half.y, [4, 4]);
      const one = model();
      const two = model();
      const optOne = new TorchAdam(vars(one), { kind: 'adam', lr: 1e-3, weightDecay: 1e-5 });
      const optTwo = new TorchAdam(vars(two), { kind: 'adam', lr: 1e-3, weightDecay: 1e-5 });
      // the reference: one half through the same synchronised statistics path, with one participant
      const alone = new BatchStatsExchange(BatchStatsExchange.buffer(1), 0, 1);
      const r = await withSyncedBatchStats(alone, 1, () => trainStep(one, optOne, x0, y0, undefined, 0));
      const s = await trainStep(two, optTwo, x, y, undefined, 0, 4, helpers);
      tf.dispose([x, y, x0, y0]);
      expect(s.loss).toBe(r.loss);
      const [a, b] = [weightsOf(one), weightsOf(two)];
      a.forEach((w, i) => expect(Buffer.from(b[i]!.buffer).equals(Buffer.from(w.buffer)), `weight ${i}`).toBe(true));
      const fresh = weightsOf(model());
      expect(fresh.some((w, i) => !Buffer.from(w.buffer).equals(Buffer.from(a[i]!.buffer)))).toBe(true); // the step moved them
    }, 120_000);
  });

  it.each<[string, ModelName, number, number, number]>([
    ['a dead worker fails the step with an error (no unhandled rejection, no hang)', 'ConvNeXtV2_2D', SIZE, 8, 1],
    ['SENet: a dead worker fails a synchronised step at once (it would never hand in its statistics)', 'SENet', 32, 4, 2],
  ])('%s', async (_title, name, size, n, piece) => {
    const spec = { model: name, size, seed: 1, grn: false };
    const model = buildModel(spec.model, spec);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const helpers = await GradientHelpers.start(2, spec, vars.reduce((a, v) => a + v.size, 0));
    await helpers?.close();
    const b = batch(n, 0, size);
    const x = tf.tensor4d(b.x, [n, size, size, 1]);
    const y = tf.tensor2d(b.y, [n, 4]);
    try {
      await expect(trainStep(model, new TorchAdam(vars, { kind: 'adam', lr: 1e-3, weightDecay: 0 }), x, y, undefined, 0, piece, helpers)).rejects.toThrow(/gradient worker/);
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
  }, 60_000);

  it('train(): threads 2 runs two threads and ends with the same history as threads 1', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => batch(1, i));
    const source: BatchSource = {
      count: (split) => (split === 'train' ? 12 : 4),
      async *epochBatches(split) {
        const list = split === 'train' ? rows : rows.slice(0, 4);
        for (const r of list) yield { x: r.x, y: r.y, n: 1, size: SIZE };
      },
    };
    const base = { model: 'ConvNeXtV2_2D' as const, size: SIZE, epochs: 2, batchSize: 4, lr: 1e-3, posWeight: 'none' as const };
    const dir = mkdtempSync(join(tmpdir(), 'glioflow-dp-'));
    try {
      const one = await train({ ...base, threads: 1 }, source, join(dir, 'one'));
      const two = await train({ ...base, threads: 2 }, source, join(dir, 'two'));
      if (!one.ok || !two.ok) throw new Error('training failed');
      expect(one.value.threads).toBe(1);
      expect(two.value.threads).toBe(2);
      expect(two.value.microBatch).toBe(2); // auto: half the batch for a model without batch norm
      const strip = (h: typeof one.value.history) => h.map(({ seconds: _s, images_per_s: _i, ...rest }) => rest);
      expect(strip(two.value.history)).toEqual(strip(one.value.history));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

