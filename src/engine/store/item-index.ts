// The item index: one append-only file per item family (one item code with one set of params), lines
// "<key> <pack> <offset> <length> ." saying where each key's latest result is (store/item-packs.ts). Appends start
// on a fresh line, and a line a killed run cut short has lost its final "." and is skipped, so a torn append costs
// only its own lines. The last line of a key wins. Only a missing index reads as empty: any other read error is
// thrown, for gc would otherwise delete the packs that index keeps.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../atomic.js';
import type { CacheLayout } from './cache-layout.js';
import { CompactItemIndex } from './compact-item-index.js';

const INDEX_LINE = /^([0-9a-f]{16}) ([0-9a-f]{16}\.pack) (\d{1,15}) (\d{1,15}) \.$/;

export interface ItemLocation {
  key: string;
  /** file name under cache/items/packs */
  pack: string;
  offset: number;
  length: number;
}

export const indexDir = (layout: CacheLayout): string => join(layout.items, 'index');
const indexPath = (layout: CacheLayout, family: string): string => join(indexDir(layout), `${family}.idx`);
const indexLine = (l: ItemLocation): string => `${l.key} ${l.pack} ${l.offset} ${l.length} .\n`;

export const isMissingFile = (error: unknown): boolean => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

/** One family's index: key → where its latest result is. Malformed (torn) lines are skipped. */
function parseIndex(text: string): Map<string, ItemLocation> {
  const out = new Map<string, ItemLocation>();
  for (const line of text.split('\n')) {
    const m = INDEX_LINE.exec(line);
    if (m) out.set(m[1] as string, { key: m[1] as string, pack: m[2] as string, offset: Number(m[3]), length: Number(m[4]) });
  }
  return out;
}

export function readFamilyIndex(layout: CacheLayout, family: string): Map<string, ItemLocation> {
  const text = readIndexText(layout, family);
  return text === undefined ? new Map() : parseIndex(text);
}

/** A family's index as a CompactItemIndex (what a stage's item lookups use: a million keys in ~30 MB). */
export function readCompactFamilyIndex(layout: CacheLayout, family: string): CompactItemIndex {
  const out = new CompactItemIndex();
  const text = readIndexText(layout, family);
  if (text === undefined) return out;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const m = INDEX_LINE.exec(text.slice(start, end));
    if (m) out.set({ key: m[1] as string, pack: m[2] as string, offset: Number(m[3]), length: Number(m[4]) });
    start = end + 1;
  }
  return out;
}

function readIndexText(layout: CacheLayout, family: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(indexPath(layout, family), 'utf8');
  } catch (error) {
    // no index yet: nothing cached for this family
    if (isMissingFile(error)) return undefined;
    throw new Error(`cannot read the item index ${indexPath(layout, family)}: ${(error as Error).message}`);
  }
  return text;
}

/** Every family's index (for verify and gc): family → its key → location, and the index files that cannot be read. */
export function readAllIndexes(layout: CacheLayout): { indexes: Map<string, Map<string, ItemLocation>>; unreadable: { file: string; error: string }[] } {
  const indexes = new Map<string, Map<string, ItemLocation>>();
  const unreadable: { file: string; error: string }[] = [];
  if (!existsSync(indexDir(layout))) return { indexes, unreadable };
  let names: string[];
  try {
    names = readdirSync(indexDir(layout));
  } catch (error) {
    unreadable.push({ file: indexDir(layout), error: `cannot read the item index folder ${indexDir(layout)}: ${(error as Error).message}` });
    return { indexes, unreadable };
  }
  for (const name of names) {
    if (!name.endsWith('.idx')) continue;
    try {
      indexes.set(name.slice(0, -4), readFamilyIndex(layout, name.slice(0, -4)));
    } catch (error) {
      unreadable.push({ file: join(indexDir(layout), name), error: (error as Error).message });
    }
  }
  return { indexes, unreadable };
}

/**
 * Replaces a family's index by exactly these entries, one line each (gc: drops the keys no run uses, superseded and
 * torn lines), or removes it when there are none. Returns the bytes this frees; with `dryRun`, only counts them.
 */
export function writeFamilyIndex(layout: CacheLayout, family: string, entries: readonly ItemLocation[], dryRun = false): number {
  const file = indexPath(layout, family);
  const before = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch (error) {
    if (!isMissingFile(error)) throw error;
  }
  const text = entries.map(indexLine).join('');
  // compared by content, not length: a compacted pack's lines have the same length and new locations
  if (!dryRun && text !== current) {
    if (entries.length === 0) rmSync(file, { force: true });
    else writeFileAtomicSync(file, text);
  }
  return before - Buffer.byteLength(text);
}

/** Appends these entries to the family's index, on a fresh line (it ends a line a killed run may have torn). */
export function appendToFamilyIndex(layout: CacheLayout, family: string, entries: readonly ItemLocation[]): void {
  mkdirSync(indexDir(layout), { recursive: true });
  appendFileSync(indexPath(layout, family), `\n${entries.map(indexLine).join('')}`);
}
