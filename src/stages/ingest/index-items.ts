// Item function of the index stage (runs on the worker pool): one file → its header or why not.
import { parseHeader, type SliceHeader } from '../../dicom/index.js';
import { readFileBytes, type FileBytes } from './file-bytes.js';
import type { RejectedFile } from './types.js';

// Synchronous reads: this runs on a worker thread, where blocking is harmless and a small file's
// async open/read/close costs more than parsing it.
export function indexFile(input: { path: string; relative: string }): { header: SliceHeader } | { rejected: RejectedFile } {
  let file: FileBytes;
  try {
    file = readFileBytes(input.path);
  } catch (error) {
    return { rejected: { file: input.relative, reason: 'empty', message: `cannot read: ${(error as Error).message}` } };
  }
  const parsed = parseHeader(file.bytes, input.relative); // the header is plain data: nothing in it points into the bytes
  file.release();
  return parsed.ok ? { header: parsed.value } : { rejected: { file: input.relative, reason: parsed.error.reason, message: parsed.error.message } };
}
