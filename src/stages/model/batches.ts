// Batches for training and evaluation, streamed from tensorize's Arrow shards (never the cohort
// in memory). The shards are read where they are in the cache.
import { GlioflowFailure, type UpstreamOutputs } from '../../engine/stage-api.js';
import type { TensorizeOutput } from '../data/tensorize-stage.js';
import type { Batch as ShardBatch, ShardReader } from '../../tensors/index.js';

/** tensorize's summary and the paths of its shards in the cache (what a training or evaluation job reads). */
export async function tensorizeShards(upstream: UpstreamOutputs): Promise<{ meta: TensorizeOutput; shards: string[] }> {
  const meta = await upstream.readJson<TensorizeOutput>('tensorize.json');
  return { meta, shards: meta.shards.map((s) => upstream.path(s.output)) };
}

/** A reader over the shards; a shard that cannot be opened fails with its typed error. */
export async function openShards(files: readonly string[]): Promise<ShardReader> {
  const { openShardReader } = await import('../../tensors/index.js');
  const opened = await openShardReader(files);
  if (!opened.ok) throw new GlioflowFailure(opened.error);
  return opened.value;
}

export type Split = 'train' | 'val' | 'test';

/** Rows of one split, batched; `fold` picks the k-fold role when the shards have folds. */
export function splitBatches(reader: ShardReader, split: Split, options: { batchSize: number; seed: number; epoch: number; fold: number | null }): AsyncIterable<ShardBatch> {
  return reader.batches({ split, batchSize: options.batchSize, seed: options.seed, epoch: options.epoch, ...(options.fold !== null ? { fold: options.fold } : {}) });
}
