// Shared by the reliability tests: waiting, reading the cache from the outside (independently of
// the engine's own readers), and a seeded random generator so a failure can be replayed.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import xxhash from 'xxhash-wasm';

export { CLI, fourStagePipeline, PLUGIN, statusOf, TestProject, type CliResult, type RunSummary } from '../engine/helpers.js';

export async function waitFor(check: () => boolean, ms: number, what = 'a condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const logLines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

/** mulberry32 (the tensors reader's own seeded PRNG): good enough to pick mutations and kill times. */
export { mulberry32 as rng } from '../../src/tensors/rng.js';

export function* walkFiles(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkFiles(full);
    else yield full;
  }
}

/** Bytes of every file under a folder, counted here rather than by the engine. */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const f of walkFiles(dir)) total += statSync(f).size;
  return total;
}

export interface LockEntry {
  stage: string;
  key: string;
  code: string;
  params: Record<string, unknown>;
  deps: { path: string; hash: string; files: number; listing: string }[];
  upstream: Record<string, Record<string, string>>;
  outputs: Record<string, { hash: string; size: number; materialized?: string }>;
}

/** pipeline.lock as written on disk. */
export function readLockFile(projectDir: string): Record<string, LockEntry> {
  return (JSON.parse(readFileSync(join(projectDir, 'pipeline.lock'), 'utf8')) as { stages: Record<string, LockEntry> }).stages;
}

export function keyRecord(projectDir: string, key: string): LockEntry & { itemKeys: Record<string, string> } {
  return JSON.parse(readFileSync(join(projectDir, 'cache', 'keys', key.slice(0, 2), `${key.slice(2)}.json`), 'utf8')) as LockEntry & { itemKeys: Record<string, string> };
}

export const objectPath = (projectDir: string, hash: string): string => join(projectDir, 'cache', 'objects', hash.slice(0, 2), hash.slice(2));
const indexFiles = (projectDir: string): string[] => [...walkFiles(join(projectDir, 'cache', 'items', 'index'))].filter((f) => f.endsWith('.idx'));

/** Where an item's cached result is: the last line for its key in an item-family index (a record in a pack file). */
export function itemRecordLocation(projectDir: string, itemKey: string): { file: string; offset: number; length: number } | undefined {
  let found: { file: string; offset: number; length: number } | undefined;
  for (const index of indexFiles(projectDir)) {
    for (const line of readFileSync(index, 'utf8').split('\n')) {
      const [key, pack, offset, length] = line.split(' ');
      if (key === itemKey && pack && offset && length) found = { file: join(projectDir, 'cache', 'items', 'packs', pack), offset: Number(offset), length: Number(length) };
    }
  }
  return found;
}

/** Drops an item's lines from the indexes: its result is lost, as if never written. */
export function forgetItem(projectDir: string, itemKey: string): void {
  for (const index of indexFiles(projectDir)) {
    const lines = readFileSync(index, 'utf8').split('\n');
    writeFileSync(index, lines.filter((l) => !l.startsWith(`${itemKey} `)).join('\n'));
  }
}

/** The item keys the indexes list (any family), and the pack files those lines point into. */
export function indexedItems(projectDir: string): { keys: Set<string>; packs: Set<string> } {
  const keys = new Set<string>();
  const packs = new Set<string>();
  for (const index of indexFiles(projectDir)) {
    for (const line of readFileSync(index, 'utf8').split('\n')) {
      const [key, pack] = line.split(' ');
      if (key && pack) {
        keys.add(key);
        packs.add(pack);
      }
    }
  }
  return { keys, packs };
}

let hasher: Awaited<ReturnType<typeof xxhash>> | undefined;

/** xxhash64 of bytes, hex — straight from xxhash-wasm, not through the engine's hash module. */
export async function xxh64(bytes: Uint8Array): Promise<string> {
  hasher ??= await xxhash();
  return hasher.h64Raw(bytes).toString(16).padStart(16, '0');
}

/**
 * Every object in the store whose bytes no longer hash to its name, every item pack whose bytes no longer hash to
 * its name, and every item record whose payload no longer hashes to the checksum in its header (temporary files are
 * skipped). Checked with xxhash-wasm directly, not through the engine's code.
 */
export async function objectsNotMatchingTheirName(projectDir: string): Promise<string[]> {
  const bad: string[] = [];
  for (const file of walkFiles(join(projectDir, 'cache', 'objects'))) {
    if (file.includes('.tmp-')) continue;
    const parts = file.split('/');
    const name = `${parts[parts.length - 2]}${parts[parts.length - 1]}`;
    if ((await xxh64(readFileSync(file))) !== name) bad.push(name);
  }
  // item packs: records one after another, each a header line naming its payload's length and hash
  for (const file of walkFiles(join(projectDir, 'cache', 'items', 'packs'))) {
    if (file.includes('.tmp-')) continue;
    const bytes = readFileSync(file);
    const parts = file.split('/');
    if ((await xxh64(bytes)) !== (parts[parts.length - 1] as string).replace(/\.pack$/, '')) bad.push(`pack ${file}`);
    for (let at = 0; at < bytes.length; ) {
      const header = /^glioflow-item-v2 ([0-9a-f]{16}) ([0-9a-f]{16}) (\d+)\n/.exec(bytes.subarray(at, at + 80).toString('latin1'));
      const end = header ? at + header[0].length + Number(header[3]) : bytes.length;
      if (!header || end > bytes.length || (await xxh64(bytes.subarray(at + header[0].length, end))) !== header[2]) {
        bad.push(`item record at ${at} in ${file}`);
        break;
      }
      at = end;
    }
  }
  return bad;
}
