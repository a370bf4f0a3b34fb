// One row of a model's history.csv (one epoch): written by the trainer, read by the report.
// A light module (no tfjs) so both sides can share it.
import { GENES } from '../labels/types.js';

type MetricColumn = `${'train' | 'val'}_${'acc' | 'auroc'}_${(typeof GENES)[number]}`;

/** Accuracy/AUROC may be null (e.g. one class in a split); val_loss is null without validation rows. */
export type HistoryRow = {
  epoch: number;
  train_loss: number;
  val_loss: number | null;
  seconds: number;
  images_per_s: number;
} & Record<MetricColumn, number | null>;

/** Column order of the history table. */
export const HISTORY_COLUMNS: readonly (keyof HistoryRow)[] = [
  'epoch', 'train_loss', 'val_loss', 'seconds', 'images_per_s',
  ...(['train', 'val'] as const).flatMap((s) => (['acc', 'auroc'] as const).flatMap((m) => GENES.map((l) => `${s}_${m}_${l}` as const))),
];
