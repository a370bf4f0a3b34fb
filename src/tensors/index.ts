export { zscore } from './zscore.js';
export { resizeBilinear } from './resize.js';
export { writeShards, type PatientRows, type ShardInfo, type SliceRow, type WriteShardsOptions } from './write.js';
export { openShardReader, type Batch, type BatchOptions, type RowMeta, type ShardReader } from './read.js';
export { planShards, safeName, type PlannedShard } from './layout.js';
export { LABEL_ORDER, NORMALISATION, SHARD_FORMAT, SHARD_VERSION, shardSchema, type BatchIndexEntry, type ShardMetadata } from './schema.js';
