// Test inputs for the report: ModelResults built by running the real `evaluate` on the metrics fixture rows
// (with each model's probabilities shifted differently), and made-up but plausible training histories.
import { readFileSync } from 'node:fs';
import { evaluate, LABELS, type EvalRow } from '../../src/metrics/index.js';
import { MODEL_RESULT_SCHEMA, type HistoryRow, type ModelResult } from '../../src/report/types.js';

const ref = JSON.parse(readFileSync(new URL('../fixtures/metrics/reference.json', import.meta.url), 'utf8')) as {
  evaluation: { rows: EvalRow[] };
};

export const MODELS = [
  { model: 'AlexNet2D', parameterCount: 57_020_228, sharpen: 1.0 },
  { model: 'SENet', parameterCount: 11_264_644, sharpen: 1.6 },
  { model: 'ViT', parameterCount: 85_801_732, sharpen: 0.5 },
] as const;

export function makeResult(i: number, opts: { dropIdhPositives?: boolean } = {}): ModelResult {
  const m = MODELS[i % MODELS.length] ?? MODELS[0];
  const rows = ref.evaluation.rows.map((r) => ({
    ...r,
    probs: r.probs.map((p, l) => Math.min(1, Math.max(0, 0.5 + (p - 0.5) * m.sharpen + (r.labels[l] === 1 ? 0.02 * i : 0)))),
    labels: opts.dropIdhPositives ? [...r.labels.slice(0, 3), 0] : r.labels,
  }));
  const ev = evaluate(rows, { bootstrap: 200, seed: 3, fusion: 'mean' });
  if (!ev.ok) throw new Error(ev.error.message);
  return {
    schema: MODEL_RESULT_SCHEMA,
    model: m.model,
    params: { lr: 1e-4, batch: 32, epochs: 10 },
    parameterCount: m.parameterCount,
    backend: i === 2 ? 'wasm' : 'tensorflow (CUDA)',
    epochs: 10,
    bestEpoch: 6 + i,
    bestBy: 'val_loss',
    cacheKeys: { data: `data-${i}-0f3a`, weights: `weights-${i}-9b1c` },
    split: 'test',
    evaluation: ev.value,
  };
}

export function makeHistory(epochs: number, seed = 1): HistoryRow[] {
  const out: HistoryRow[] = [];
  for (let e = 1; e <= epochs; e++) {
    const wobble = Math.sin(e * 1.7 + seed) * 0.02;
    const row: Record<string, number | null> = {
      epoch: e,
      train_loss: 0.69 * Math.exp(-e / 4) + 0.15 + wobble,
      val_loss: 0.69 * Math.exp(-e / 6) + 0.3 + (e > 6 ? 0.02 * (e - 6) : 0) - wobble,
      seconds: 30 + e,
      images_per_s: 410 + 5 * wobble,
    };
    LABELS.forEach((l, k) => {
      row[`train_acc_${l}`] = Math.min(0.99, 0.6 + 0.035 * e + 0.01 * k);
      row[`val_acc_${l}`] = 0.58 + 0.02 * Math.min(e, 6) - 0.01 * k + wobble;
      row[`train_auroc_${l}`] = Math.min(0.99, 0.55 + 0.04 * e);
      // IDH has no positive in validation: AUROC undefined there, written as null.
      row[`val_auroc_${l}`] = l === 'IDH' ? null : 0.52 + 0.025 * Math.min(e, 7) + wobble;
    });
    out.push(row as HistoryRow);
  }
  return out;
}
