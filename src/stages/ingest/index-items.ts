// Item function of the index stage (runs on the worker pool): one file → its header or why not.
import { readFile } from 'node:fs/promises';
import { parseHeader, type SliceHeader } from '../../dicom/index.js';
import type { RejectedFile } from './types.js';

export async function indexFile(input: { path: string; relative: string }): Promise<{ header: SliceHeader } | { rejected: RejectedFile }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(input.path);
  } catch (error) {
    return { rejected: { file: input.relative, reason: 'empty', message: `cannot read: ${(error as Error).message}` } };
  }
  const parsed = parseHeader(bytes, input.relative);
  return parsed.ok ? { header: parsed.value } : { rejected: { file: input.relative, reason: parsed.error.reason, message: parsed.error.message } };
}
