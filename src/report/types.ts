// What the evaluate stage writes into results.json for one model, and what the report reads.
import type { JsonValue } from '../engine/stage-api.js';
import type { Evaluation, LabelName } from '../metrics/types.js';

export const MODEL_RESULT_SCHEMA = 'glioflow.model-result/1' as const;

export interface ModelResult {
  schema: typeof MODEL_RESULT_SCHEMA;
  /** model name as in the pipeline (`ViT`, `AlexNet2D`, …) */
  model: string;
  /** the training parameters the model was trained with (learning rate, batch, epochs asked for …) */
  params: { [key: string]: JsonValue };
  /** trainable parameters */
  parameterCount: number;
  /** tfjs backend that trained it: `tensorflow` (tfjs-node), `wasm`, `cpu`, … plus device if known */
  backend: string;
  /** epochs actually run (early stopping may end before params asked) */
  epochs: number;
  /** 1-based epoch whose weights were kept and evaluated; null when the last epoch's were */
  bestEpoch: number | null;
  /** what chose the best epoch, e.g. `val_loss` */
  bestBy?: string;
  /** content keys of the inputs, so a result can be traced back to exactly what produced it */
  cacheKeys: { data: string; weights: string; [other: string]: string };
  /** which split was evaluated */
  split: string;
  /** slice- and patient-level metrics, as `evaluate` from src/metrics returns them */
  evaluation: Evaluation;
}

export type { HistoryRow } from '../train/history.js';
