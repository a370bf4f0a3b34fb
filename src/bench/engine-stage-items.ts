// Item functions of the generic per-folder stages; they run on the engine's worker pool.
import { appendFileSync, readFileSync } from 'node:fs';
import type { FolderRow } from './engine-stages.js';

/** Tests set GLIOFLOW_ITEM_LOG to count which items really ran (the cache must skip the rest). */
function logRun(what: string): void {
  const log = process.env['GLIOFLOW_ITEM_LOG'];
  if (log) appendFileSync(log, `${what}\n`);
}

export function digestFolder(input: { folder: string; paths: string[] }, params: { delayMs: number }): FolderRow {
  if (params.delayMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, params.delayMs);
  logRun(`digest ${input.folder}`);
  let lines = 0;
  let bytes = 0;
  let value = 0;
  for (const path of input.paths) {
    const text = readFileSync(path, 'utf8');
    bytes += Buffer.byteLength(text);
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      lines++;
      const n = Number(line);
      if (Number.isFinite(n)) value += n;
    }
  }
  return { folder: input.folder, files: input.paths.length, lines, bytes, value };
}

export function transformRow(row: FolderRow, params: { factor: number; offset: number }): FolderRow {
  logRun(`transform ${row.folder}`);
  return { ...row, value: row.value * params.factor + params.offset };
}
