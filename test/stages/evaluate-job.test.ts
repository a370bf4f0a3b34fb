// The evaluate stage's job (src/stages/model/evaluate-job.ts): weights trained on a backend that is not available here
// (a GPU machine's tensorflow-gpu) are evaluated on the best backend that is, said in the log and recorded, with the
// probabilities the model gives; weights trained on an available backend are evaluated on it, silently.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluateJob } from '../../src/stages/model/evaluate-job.js';
import type { JobContext } from '../../src/stages/model/job-context.js';
import { writeShards, type PatientRows } from '../../src/tensors/index.js';
import { train, type Batch, type BatchSource } from '../../src/train/trainer.js';

const SIZE = 8;
let root: string;
let weights: string;
let shards: string[];

function pixels(seed: number): Float32Array {
  return Float32Array.from({ length: SIZE * SIZE }, (_, i) => Math.sin(i * 0.7 + seed) + 0.1 * seed);
}

function contextFor(logs: [string, string][], records: Record<string, unknown>): JobContext {
  return {
    log: (level, message) => logs.push([level, message]),
    progress: () => undefined,
    metrics: () => undefined,
    record: (name, value) => {
      records[name] = value;
    },
    signal: new AbortController().signal,
  };
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  expect(await tf.setBackend('cpu')).toBe(true);
  root = mkdtempSync(join(tmpdir(), 'glioflow-evaljob-'));
  const source: BatchSource = {
    count: () => 8,
    async *epochBatches() {
      const b: Batch = { x: new Float32Array(8 * SIZE * SIZE), y: new Float32Array(8 * 4), n: 8, size: SIZE };
      for (let r = 0; r < 8; r++) {
        b.x.set(pixels(r), r * SIZE * SIZE);
        b.y.set([r % 2, 0, 1, 0], r * 4);
      }
      yield b;
    },
  };
  const trained = await train({ model: 'ConvNeXtV2_2D', size: SIZE, epochs: 1, batchSize: 8, seed: 1 }, source, join(root, 'ckpt'));
  if (!trained.ok) throw new Error(trained.error.message);
  weights = trained.value.bestWeightsPath;
  const patients: PatientRows[] = [0, 1, 2].map((p) => ({
    patient: `TCGA-T0-000${p}`,
    split: 'test',
    fold: null,
    labels: [p % 2, 0, 1, 0],
    rowCount: 2,
    rows: () => [0, 1].map((s) => ({ series: '1.2.3', sequence: 'T1post', plane: 'axial', slice: s, pixels: pixels(p * 2 + s) })),
  }));
  const written = await writeShards(patients, { dir: join(root, 'shards'), size: SIZE });
  if (!written.ok) throw new Error(written.error.message);
  shards = written.value.map((s) => s.file);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runEvaluateJob', () => {
  it('weights from an unavailable backend: evaluated on the best available one, said and recorded', async () => {
    const logs: [string, string][] = [];
    const records: Record<string, unknown> = {};
    const r = await runEvaluateJob({ kind: 'evaluate', weights, shards, split: 'test', fold: null, trainedOn: 'tensorflow-gpu' }, contextFor(logs, records));
    expect(r.rows).toHaveLength(6);
    expect(r.probs).toHaveLength(6);
    expect(records['trained_backend']).toBe('tensorflow-gpu');
    expect(records['backend']).toBe(r.backend);
    expect(r.backend).not.toBe('tensorflow-gpu');
    const warning = logs.find(([level]) => level === 'warn')?.[1] ?? '';
    expect(warning).toContain('trained on tensorflow-gpu');
    expect(warning).toContain(`evaluating on ${r.backend}`);
    expect(warning).toMatch(/last bits/);
  });

  it('weights from an available backend: evaluated on it, without a warning, to the same probabilities', async () => {
    const logs: [string, string][] = [];
    const records: Record<string, unknown> = {};
    const fallback = await runEvaluateJob({ kind: 'evaluate', weights, shards, split: 'test', fold: null, trainedOn: 'tensorflow-gpu' }, contextFor([], {}));
    const r = await runEvaluateJob({ kind: 'evaluate', weights, shards, split: 'test', fold: null, trainedOn: fallback.backend }, contextFor(logs, records));
    expect(r.backend).toBe(fallback.backend);
    expect(logs.filter(([level]) => level === 'warn')).toEqual([]);
    expect(records).toMatchObject({ backend: r.backend, trained_backend: r.backend });
    r.probs.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(fallback.probs[i]!)));
  });
});
