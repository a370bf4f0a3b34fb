export { assignSplits, splitInFold, SPLITS, DEFAULT_SPLIT, type Split, type SplitAssignment, type SplitCounts, type SplitOptions, type SplitPatient, type SplitResult } from './assign.js';
export { unitHash } from './hash.js';
