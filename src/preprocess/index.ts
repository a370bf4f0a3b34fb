export { blackPixelRatio, BLACK_PERCENTILE } from './ratios.js';
export type { BlackPixelRatio } from './ratios.js';
export { clusterSeries, keepMask, CLUSTERS, SKLEARN_1_2_DEFAULTS } from './kmeans.js';
export type { ClusterFailure, ClusterFailureReason, ClusterOptions, KeepMode, SeriesClustering } from './kmeans.js';
