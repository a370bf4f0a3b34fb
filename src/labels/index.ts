export * from './types.js';
export { parseLabelTable, type TableOptions } from './parse-table.js';
export { parseMaf, DEFAULT_COUNTED_CLASSES, type MafOptions } from './parse-maf.js';
export { parseLabels, readLabelFile, isMafText, type LabelFileOptions } from './read.js';
export { matchLabels } from './match.js';
