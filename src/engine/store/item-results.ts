// Cached item results: one file per item key, cache/items/<ab>/<rest of key>, holding a header
// with the xxhash64 of the payload and then the payload (v8-serialised, so typed arrays survive).
//
// Why not content-addressed objects like stage outputs: an item result is found by its key (a
// hash of the item's code, params and input content), and storing it as an object plus a
// key → hash ref took two files per item — at ~4,000 DICOM files, writing them cost six times the
// parsing. The header checksum keeps the guarantee objects have: a file altered on disk is
// detected on read (the item is recomputed) and by `glioflow verify`.
//
// Item files are small and written on the main thread while the workers compute, so they are
// written synchronously (temp + rename): far cheaper than four thread-pool round trips each.
import { readFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomicSync } from '../atomic.js';
import { hashBytes } from '../hash.js';
import { shardedPath, type CacheLayout } from './cache-layout.js';

const MAGIC = 'glioflow-item-v1 ';
const HEADER_BYTES = MAGIC.length + 16 + 1; // magic, 16 hex digits, '\n'

export type ItemFileState = { state: 'ok'; value: unknown } | { state: 'missing' } | { state: 'altered'; why: string };

export function itemResultPath(layout: CacheLayout, itemKey: string): string {
  return shardedPath(layout.items, itemKey);
}

export function encodeItemResult(value: unknown): Buffer {
  const payload = serialize(value);
  return Buffer.concat([Buffer.from(`${MAGIC}${hashBytes(payload)}\n`, 'latin1'), payload]);
}

/** What caches written before this format hold under items/: the hash of an object, as text. */
const LEGACY_REF = /^[0-9a-f]{16}\n?$/;

/**
 * Checks the header and the payload's hash; deserialises only an intact file. A ref file of the
 * earlier layout counts as missing (its item reruns once and is rewritten), not as damage.
 */
export function decodeItemResult(bytes: Buffer): ItemFileState {
  if (bytes.length <= 17 && LEGACY_REF.test(bytes.toString('latin1'))) return { state: 'missing' };
  if (bytes.length < HEADER_BYTES || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC || bytes[HEADER_BYTES - 1] !== 0x0a) {
    return { state: 'altered', why: 'not a glioflow item result (bad header)' };
  }
  const recorded = bytes.toString('latin1', MAGIC.length, HEADER_BYTES - 1);
  const payload = bytes.subarray(HEADER_BYTES);
  if (hashBytes(payload) !== recorded) return { state: 'altered', why: 'content does not match its recorded hash' };
  try {
    return { state: 'ok', value: deserialize(payload) };
  } catch (error) {
    return { state: 'altered', why: `cannot deserialise: ${(error as Error).message}` };
  }
}

export function readItemResult(layout: CacheLayout, itemKey: string): ItemFileState {
  let bytes: Buffer;
  try {
    bytes = readFileSync(itemResultPath(layout, itemKey));
  } catch {
    return { state: 'missing' };
  }
  return decodeItemResult(bytes);
}

export function writeItemResult(layout: CacheLayout, itemKey: string, value: unknown): void {
  writeFileAtomicSync(itemResultPath(layout, itemKey), encodeItemResult(value));
}
