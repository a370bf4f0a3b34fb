// Item function of the index stage (runs on the worker pool): one file → its header or why not.
import { parseHeader, type SliceHeader } from '../../dicom/index.js';
import { readFileBytes } from './file-bytes.js';
import type { RejectedFile } from './types.js';

// Synchronous reads: this runs on a worker thread, where blocking is harmless and a small file's
// async open/read/close costs more than parsing it.
// A file that cannot be read throws (the stage then fails): only what the bytes say may become a cached rejection.
export function indexFile(input: { path: string; relative: string }): { header: SliceHeader } | { rejected: RejectedFile } {
  const file = readFileBytes(input.path);
  let parsed: ReturnType<typeof parseHeader>;
  try {
    parsed = parseHeader(file.bytes, input.relative); // the header is plain data: nothing in it points into the bytes
  } finally {
    file.release();
  }
  return parsed.ok ? { header: parsed.value } : { rejected: { file: input.relative, reason: parsed.error.reason, message: parsed.error.message } };
}
