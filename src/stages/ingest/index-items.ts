// Item function of the index stage (runs on the worker pool): one file → its header or why not.
import { readFileSync } from 'node:fs';
import { parseHeader, type SliceHeader } from '../../dicom/index.js';
import type { RejectedFile } from './types.js';

// Synchronous reads: this runs on a worker thread, where blocking is harmless and a small file's
// async open/read/close costs more than parsing it.
export function indexFile(input: { path: string; relative: string }): { header: SliceHeader } | { rejected: RejectedFile } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(input.path);
  } catch (error) {
    return { rejected: { file: input.relative, reason: 'empty', message: `cannot read: ${(error as Error).message}` } };
  }
  const parsed = parseHeader(bytes, input.relative);
  return parsed.ok ? { header: parsed.value } : { rejected: { file: input.relative, reason: parsed.error.reason, message: parsed.error.message } };
}
