// Training lines shared by the TrainingPanel and the plain logger, so both read alike.
import type { TrainingView } from './state.js';
import { METRIC_KEYS } from './state.js';
import { formatEta, formatMetric } from './format.js';

/** `epoch 3/10 · batch 12/40 · loss 0.4321 · 85.2 img/s` */
export function trainingHeadline(t: TrainingView): string {
  const parts = [`epoch ${t.epoch}/${t.epochs}`];
  if (t.batch !== undefined) parts.push(t.batches !== undefined ? `batch ${t.batch}/${t.batches}` : `batch ${t.batch}`);
  if (t.loss !== undefined) parts.push(`loss ${formatMetric(t.loss)}`);
  if (t.imagesPerSecond !== undefined) parts.push(`${t.imagesPerSecond.toFixed(t.imagesPerSecond < 10 ? 2 : 1)} img/s`);
  if (t.stageEtaSeconds !== undefined) parts.push(`stage ETA ${formatEta(t.stageEtaSeconds)}`);
  return parts.join(' · ');
}

const HIDDEN_IN_LAST_EPOCH = new Set<string>(METRIC_KEYS.imagesPerSecond);

/** `val_loss 0.51 · val_auroc_TP53 0.62 …`: an epoch's values in the order reported, throughput left out. */
export function lastEpochText(values: Record<string, number>, separator = ' · '): string {
  return Object.entries(values)
    .filter(([name]) => !HIDDEN_IN_LAST_EPOCH.has(name))
    .map(([name, value]) => `${name} ${formatMetric(value)}`)
    .join(separator);
}
