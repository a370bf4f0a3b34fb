// The trainer end to end on a tiny ConvNeXt (16×16): history columns, checkpoint/resume after a kill mid-epoch
// (both by throwing from onBatch and by AbortSignal) giving the same history as an uninterrupted run, best-epoch
// weights, predict() consistent with the recorded validation loss.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmKernels } from '../../src/train/wasm-kernels.js';
import { batchNormThreadsRefusal, HISTORY_COLUMNS, isImprovement, predict, train, type Batch, type BatchSource, type HistoryRow, type TrainParams } from '../../src/train/trainer.js';

const SIZE = 16;
const TRAIN_ROWS = 24;
const VAL_ROWS = 8;

/** Deterministic rows: label k is "bright quadrant k"; a seeded shuffle per epoch, yielded in uneven chunks of 5. */
function makeSource(): BatchSource & { epochsSeen: Array<[string, number]> } {
  const rows = (count: number, offset: number) =>
    Array.from({ length: count }, (_, i) => {
      const id = i + offset;
      const y = [0, 1, 2, 3].map((k) => ((id * 5 + k * 3) % 7 < 3 ? 1 : 0));
      const x = new Float32Array(SIZE * SIZE);
      for (let r = 0; r < SIZE; r++) {
        for (let c = 0; c < SIZE; c++) {
          const k = (r < SIZE / 2 ? 0 : 2) + (c < SIZE / 2 ? 0 : 1);
          x[r * SIZE + c] = y[k]! - 0.5 + 0.2 * Math.sin(id * 3.1 + r + c * 0.7);
        }
      }
      return { x, y: Float32Array.from(y) };
    });
  const data = { train: rows(TRAIN_ROWS, 0), val: rows(VAL_ROWS, 100) };
  const epochsSeen: Array<[string, number]> = [];
  return {
    epochsSeen,
    count: (split) => data[split].length,
    async *epochBatches(split, epoch) {
      epochsSeen.push([split, epoch]);
      const order = data[split].map((_, i) => i);
      if (split === 'train') order.sort((a, b) => ((a * 7 + epoch * 13) % 24) - ((b * 7 + epoch * 13) % 24));
      for (let i = 0; i < order.length; i += 5) {
        const idx = order.slice(i, i + 5);
        const b: Batch = { x: new Float32Array(idx.length * SIZE * SIZE), y: new Float32Array(idx.length * 4), n: idx.length, size: SIZE };
        idx.forEach((k, j) => {
          b.x.set(data[split][k]!.x, j * SIZE * SIZE);
          b.y.set(data[split][k]!.y, j * 4);
        });
        yield b;
      }
    },
  };
}

const params: TrainParams = { model: 'ConvNeXtV2_2D', size: SIZE, epochs: 3, batchSize: 8, lr: 1e-3, seed: 7 };
let root: string;

beforeAll(async () => {
  tf.env().set('PROD', true);
  registerWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  root = mkdtempSync(join(tmpdir(), 'glioflow-train-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let reference: HistoryRow[] = [];

describe('train', () => {
  it('runs all epochs with the documented columns, batch progress and a best checkpoint', async () => {
    const batches: Array<[number, number, number | null]> = [];
    const rows: HistoryRow[] = [];
    const r = await train(params, makeSource(), join(root, 'full'), {
      onBatch: (p) => batches.push([p.epoch, p.batch, p.batches]),
      onEpoch: (row) => rows.push(row),
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    reference = r.value.history;
    expect(r.value.history).toHaveLength(3);
    expect(rows).toEqual(r.value.history);
    expect(Object.keys(r.value.history[0]!)).toEqual([...HISTORY_COLUMNS]);
    expect(HISTORY_COLUMNS.slice(5, 9)).toEqual(['train_acc_TP53', 'train_acc_PTEN', 'train_acc_EGFR', 'train_acc_IDH']);
    // 24 rows in batches of 8 (re-chunked from the source's 5s), total known up front from count().
    expect(batches.filter(([e]) => e === 1)).toEqual([[1, 1, 3], [1, 2, 3], [1, 3, 3]]);
    expect(r.value.history.at(-1)!.train_loss).toBeLessThan(r.value.history[0]!.train_loss);
    for (const row of r.value.history) {
      for (const k of HISTORY_COLUMNS) if (k.includes('_acc_') || k.includes('_auroc_')) {
        const v = row[k];
        if (v !== null) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
      }
    }
    const best = r.value.history.reduce((a, b) => (b.val_loss! < a.val_loss! ? b : a));
    expect(r.value.bestEpoch).toBe(best.epoch);
    expect(r.value.posWeight).toHaveLength(4);
    expect(existsSync(r.value.bestWeightsPath)).toBe(true);
  });

  it('predict() on the best weights reproduces the recorded validation loss', async () => {
    const src = makeSource();
    const probs = await predict(join(root, 'full', 'best.gft'), src.epochBatches('val', 1));
    expect(probs.ok).toBe(true);
    if (!probs.ok) return;
    expect(probs.value).toHaveLength(VAL_ROWS);
    const state = JSON.parse(readFileSync(join(root, 'full', 'state.json'), 'utf8')) as { posWeight: number[]; best: { epoch: number } };
    // Independent float64 BCE with pos_weight from the probabilities.
    const labels: number[][] = [];
    for await (const b of makeSource().epochBatches('val', 1)) for (let i = 0; i < b.n; i++) labels.push([...b.y.slice(i * 4, i * 4 + 4)]);
    let sum = 0;
    probs.value.forEach((p, i) => p.forEach((q, k) => {
      const y = labels[i]![k]!;
      sum -= state.posWeight[k]! * y * Math.log(q) + (1 - y) * Math.log(1 - q);
    }));
    expect(sum / (VAL_ROWS * 4)).toBeCloseTo(reference[state.best.epoch - 1]!.val_loss!, 4);
  });

  it('a run killed mid-epoch (throw from onBatch) resumes from its last finished epoch with the same history', async () => {
    const dir = join(root, 'killed');
    const killed = await train(params, makeSource(), dir, {
      onBatch: (p) => {
        if (p.epoch === 2 && p.batch === 2) throw new Error('simulated kill');
      },
    });
    expect(killed.ok).toBe(false);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { epoch: number; history: unknown[] };
    expect(state.epoch).toBe(1);
    expect(state.history).toHaveLength(1);
    const src = makeSource();
    const resumed = await train(params, src, dir);
    expect(resumed.ok).toBe(true);
    if (!resumed.ok) return;
    expect(resumed.value.resumedAfterEpoch).toBe(1);
    expect(src.epochsSeen.filter(([s]) => s === 'train').map(([, e]) => e)).toEqual([2, 3]); // epoch 1 not redone
    expect(resumed.value.history).toHaveLength(3);
    resumed.value.history.forEach((row, i) => {
      expect(row.epoch).toBe(i + 1);
      expect(row.train_loss).toBeCloseTo(reference[i]!.train_loss, 5);
      expect(row.val_loss!).toBeCloseTo(reference[i]!.val_loss!, 5);
    });
  });

  it('an AbortSignal stops the run; rerunning finishes it', async () => {
    const dir = join(root, 'aborted');
    const ac = new AbortController();
    const first = await train(params, makeSource(), dir, {
      signal: ac.signal,
      onBatch: (p) => {
        if (p.epoch === 3 && p.batch === 1) ac.abort();
      },
    });
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.error.kind).toBe('aborted');
    const again = await train(params, makeSource(), dir);
    expect(again.ok && again.value.history.length).toBe(3);
    expect(again.ok && again.value.resumedAfterEpoch).toBe(2);
    if (again.ok) expect(again.value.history[2]!.train_loss).toBeCloseTo(reference[2]!.train_loss, 5);
  });

  it('a NaN validation loss in epoch 1 does not stay the best epoch (NaN < x is false for every x)', async () => {
    const clean = makeSource();
    const source: BatchSource = {
      count: clean.count,
      async *epochBatches(split, epoch) {
        for await (const b of clean.epochBatches(split, epoch)) {
          // epoch 1's validation images hold a NaN: its validation loss is NaN
          if (split === 'val' && epoch === 1) b.x[0] = Number.NaN;
          yield b;
        }
      },
    };
    const r = await train(params, source, join(root, 'nan'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.history[0]!.val_loss).toBeNaN();
    expect(r.value.bestEpoch).toBeGreaterThan(1);
    expect(Number.isFinite(r.value.history[r.value.bestEpoch - 1]!.val_loss)).toBe(true);
  });

  it('a finished checkpoint whose outputs were not recorded yet (Ctrl-C after training) resumes to the same outcome', async () => {
    // The train stage copies best.gft out of the checkpoint (it used to move it, so an interruption between the move
    // and the engine recording the outputs left a checkpoint saying "done" without its best weights: every later run
    // failed with ENOENT). A second train() on a finished checkpoint trains nothing and hands back the same file.
    const dir = join(root, 'finished');
    const first = await train(params, makeSource(), dir);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const bytes = readFileSync(first.value.bestWeightsPath);
    const again = await train(params, makeSource(), dir);
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect(again.value.resumedAfterEpoch).toBe(params.epochs);
    expect(again.value.history).toEqual(first.value.history);
    expect(again.value.bestEpoch).toBe(first.value.bestEpoch);
    expect(readFileSync(again.value.bestWeightsPath).equals(bytes)).toBe(true);
  });

  it('isImprovement: NaN and null (a NaN read back from a checkpoint) never win; any finite loss beats them', () => {
    expect(isImprovement(Number.NaN, null)).toBe(true); // the first epoch is the best so far, whatever it is
    expect(isImprovement(0.7, { loss: Number.NaN })).toBe(true);
    expect(isImprovement(0.7, { loss: null })).toBe(true);
    expect(isImprovement(Number.NaN, { loss: 0.7 })).toBe(false);
    expect(isImprovement(0.6, { loss: 0.7 })).toBe(true);
    expect(isImprovement(0.7, { loss: 0.7 })).toBe(false);
  });

  it('a model whose batch norm is shared over threads never trains on fewer than its key says', () => {
    expect(batchNormThreadsRefusal('SENet', 'batch', 2, 2, undefined)).toBeNull();
    const refused = batchNormThreadsRefusal('SENet', 'batch', 2, 1, 'gradient workers failed to start (boom): one thread');
    expect(refused).toMatchObject({ kind: 'batch-norm-threads' });
    expect(refused?.message).toContain('boom');
    expect(refused?.hint).toContain('GLIOFLOW_TRAIN_THREADS=1');
    // pieces normalised on their own, or no batch norm: the threads change nothing
    expect(batchNormThreadsRefusal('SENet', 'piece', 8, 1, 'memory')).toBeNull();
    expect(batchNormThreadsRefusal('ViT', null, 16, 1, 'memory')).toBeNull();
  });

  it('refuses a checkpoint made with other parameters', async () => {
    const r = await train({ ...params, lr: 5e-4 }, makeSource(), join(root, 'full'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('checkpoint-mismatch');
  });
});
