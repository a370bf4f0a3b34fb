// The item-result store: checksummed records in pack files, found through an index per item family. A record altered
// or cut short on disk must be reported (and so recomputed), never deserialised as if intact; a torn index line or a
// lost pack costs only the items concerned.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHashing } from '../../src/engine/hash.js';
import { cacheLayout } from '../../src/engine/store/cache-layout.js';
import { readAllIndexes, readFamilyIndex, writeFamilyIndex } from '../../src/engine/store/item-index.js';
import { decodeItemRecord, encodeItemRecord, packPath, readItemAt } from '../../src/engine/store/item-packs.js';
import { ItemFamilyStore } from '../../src/engine/store/item-results.js';

const FAMILY = 'f0f0f0f0f0f0f0f0';
const key = (i: number): string => i.toString(16).padStart(16, '0');

describe('item results in packs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glioflow-items-'));
  const layout = cacheLayout(dir);
  const value = { series: 's1', ratios: new Float64Array([0.25, 0.5, 1]), n: 3, nested: [{ a: 'b' }] };
  beforeAll(async () => {
    await initHashing();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips values with typed arrays; many items share one pack, and nothing is written before a flush', () => {
    const store = new ItemFamilyStore(layout, FAMILY);
    for (let i = 1; i <= 40; i++) store.put(key(i), { ...value, n: i });
    expect(readFamilyIndex(layout, FAMILY).size).toBe(0); // pending: not on disk yet
    store.close();
    const packs = readdirSync(join(dir, 'cache', 'items', 'packs'));
    expect(packs).toHaveLength(1);
    expect(packs[0]).toMatch(/^[0-9a-f]{16}\.pack$/);

    const again = new ItemFamilyStore(layout, FAMILY);
    const read = again.get(key(7));
    expect(read).toEqual({ state: 'ok', value: { ...value, n: 7 } });
    expect(read.state === 'ok' && read.value).toMatchObject({ ratios: expect.any(Float64Array) });
    expect(again.get(key(99))).toEqual({ state: 'missing' });
    again.close();
    expect(new ItemFamilyStore(layout, 'aaaaaaaaaaaaaaaa').get(key(7))).toEqual({ state: 'missing' }); // another family
  });

  it('says altered for a flipped payload byte, a cut record, a bad header and another key’s record', () => {
    const bytes = encodeItemRecord(key(1), value);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 2] = (flipped[flipped.length - 2] as number) ^ 0x10;
    expect(decodeItemRecord(bytes, key(1))).toEqual({ state: 'ok', value });
    expect(decodeItemRecord(flipped, key(1))).toMatchObject({ state: 'altered', why: expect.stringContaining('hash') });
    expect(decodeItemRecord(bytes.subarray(0, bytes.length - 3), key(1))).toMatchObject({ state: 'altered', why: expect.stringContaining('bytes') });
    expect(decodeItemRecord(bytes.subarray(0, 10), key(1))).toMatchObject({ state: 'altered', why: expect.stringContaining('header') });
    expect(decodeItemRecord(bytes, key(2))).toMatchObject({ state: 'altered', why: expect.stringContaining(key(1)) });
  });

  it('finds an altered record through the index, and a later result for the key wins', () => {
    const loc = readFamilyIndex(layout, FAMILY).get(key(3));
    if (!loc) throw new Error('key 3 not indexed');
    const file = packPath(layout, loc.pack);
    const pack = readFileSync(file);
    pack[loc.offset + loc.length - 1] = (pack[loc.offset + loc.length - 1] as number) ^ 0x01;
    writeFileSync(file, pack);
    const store = new ItemFamilyStore(layout, FAMILY);
    expect(store.get(key(3))).toMatchObject({ state: 'altered' });
    expect(store.get(key(4))).toMatchObject({ state: 'ok' }); // its neighbour in the same pack is intact
    store.put(key(3), { ...value, n: 3 }); // what the rerun of the item does
    store.close();
    expect(new ItemFamilyStore(layout, FAMILY).get(key(3))).toEqual({ state: 'ok', value: { ...value, n: 3 } });
  });

  it('loses only the torn line of an index a killed run left mid-append', () => {
    appendFileSync(join(dir, 'cache', 'items', 'index', `${FAMILY}.idx`), `${key(5)} 0123`); // torn
    const store = new ItemFamilyStore(layout, FAMILY);
    store.put(key(50), value);
    store.close();
    const index = readFamilyIndex(layout, FAMILY);
    expect(index.get(key(50))).toBeDefined();
    expect(new ItemFamilyStore(layout, FAMILY).get(key(5))).toMatchObject({ state: 'ok' }); // its earlier, whole line
  });

  it('ignores a line cut short inside its numbers (no final "."): the earlier line for the key stays in force', () => {
    const whole = readFamilyIndex(layout, FAMILY).get(key(6));
    if (!whole) throw new Error('key 6 not indexed');
    appendFileSync(join(dir, 'cache', 'items', 'index', `${FAMILY}.idx`), `\n${key(6)} ${whole.pack} ${whole.offset} 1`);
    expect(readFamilyIndex(layout, FAMILY).get(key(6))).toEqual(whole);
  });

  it('says altered, not a crash, for an index line pointing past the end of its pack; ignores absurd numbers', () => {
    const loc = readFamilyIndex(layout, FAMILY).get(key(8));
    if (!loc) throw new Error('key 8 not indexed');
    expect(readItemAt(layout, { ...loc, offset: loc.offset + 10_000_000 })).toMatchObject({ state: 'altered', why: expect.stringContaining('past the end') });
    expect(readItemAt(layout, { ...loc, length: 2 ** 40 })).toMatchObject({ state: 'altered' });
    appendFileSync(join(dir, 'cache', 'items', 'index', `${FAMILY}.idx`), `\n${key(8)} ${loc.pack} 99999999999999999999 ${loc.length} .\n`);
    expect(readFamilyIndex(layout, FAMILY).get(key(8))).toEqual(loc);
  });

  it('says missing when the pack is gone', () => {
    const loc = readFamilyIndex(layout, FAMILY).get(key(50));
    if (!loc) throw new Error('key 50 not indexed');
    rmSync(packPath(layout, loc.pack));
    expect(readItemAt(layout, loc)).toEqual({ state: 'missing' });
  });

  it('keeps at most 16 packs open however many it reads', () => {
    const family = 'b0b0b0b0b0b0b0b0';
    for (let i = 0; i < 40; i++) {
      const one = new ItemFamilyStore(layout, family);
      one.put(key(1000 + i), i);
      one.close(); // one pack each
    }
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const linux = process.platform === 'linux';
    const before = linux ? fds() : 0;
    const store = new ItemFamilyStore(layout, family);
    for (let i = 0; i < 40; i++) expect(store.get(key(1000 + i))).toEqual({ state: 'ok', value: i });
    if (linux) expect(fds() - before).toBeLessThanOrEqual(16);
    store.close();
    if (linux) expect(fds()).toBe(before);
  });

  it('writes a result on the main thread to a pack within 0.5 s even when the timer gets no turn', () => {
    const family = 'c0c0c0c0c0c0c0c0';
    const store = new ItemFamilyStore(layout, family);
    store.put(key(1), 'first');
    const until = Date.now() + 600;
    while (Date.now() < until); // main-thread work that never yields
    store.put(key(2), 'second');
    expect(readFamilyIndex(layout, family).size).toBe(2); // written by the put itself, before close
    store.close();
    expect(() => store.put(key(3), 'late')).toThrow(/closed/);
  });

  it('keeps a failed timed write from killing the process: the next close() throws it', async () => {
    const other = cacheLayout(mkdtempSync(join(tmpdir(), 'glioflow-items-fail-')));
    const store = new ItemFamilyStore(other, 'd0d0d0d0d0d0d0d0');
    store.put(key(1), value);
    // where packs go is now a file: the write the timer makes fails
    mkdirSync(other.root, { recursive: true });
    writeFileSync(other.items, 'not a folder');
    await new Promise((r) => setTimeout(r, 700));
    expect(() => store.close()).toThrow();
    rmSync(other.root, { recursive: true, force: true });
  });

  it('refuses to read an index it cannot read (only a missing index is empty): gc must not take it for empty', () => {
    const other = cacheLayout(mkdtempSync(join(tmpdir(), 'glioflow-items-unreadable-')));
    mkdirSync(join(other.items, 'index', 'e0e0e0e0e0e0e0e0.idx'), { recursive: true }); // a folder where the file goes
    expect(() => readFamilyIndex(other, 'e0e0e0e0e0e0e0e0')).toThrow(/cannot read the item index/);
    expect(readAllIndexes(other).unreadable).toEqual([{ file: join(other.items, 'index', 'e0e0e0e0e0e0e0e0.idx'), error: expect.stringContaining('cannot read the item index') }]);
    expect(readFamilyIndex(other, 'f1f1f1f1f1f1f1f1').size).toBe(0); // absent: nothing cached yet
    // the index folder itself a file: listed as unreadable, not thrown (verify reports it)
    rmSync(join(other.items, 'index'), { recursive: true });
    writeFileSync(join(other.items, 'index'), 'not a folder');
    expect(readAllIndexes(other).unreadable).toEqual([{ file: join(other.items, 'index'), error: expect.stringContaining('cannot read the item index folder') }]);
    rmSync(other.root, { recursive: true, force: true });
  });

  it('writes packs and indexes through temporary files: none left behind', () => {
    const names = [...readdirSync(join(dir, 'cache', 'items', 'packs')), ...readdirSync(join(dir, 'cache', 'items', 'index'))];
    expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('rewrites an index to given entries (gc) and removes it when none are left', () => {
    const index = readFamilyIndex(layout, FAMILY);
    const one = index.get(key(1));
    if (!one) throw new Error('key 1 not indexed');
    writeFamilyIndex(layout, FAMILY, [one]);
    expect([...readFamilyIndex(layout, FAMILY).keys()]).toEqual([key(1)]);
    expect(readAllIndexes(layout).indexes.get(FAMILY)?.size).toBe(1);
    writeFamilyIndex(layout, FAMILY, []);
    expect(readAllIndexes(layout).indexes.has(FAMILY)).toBe(false);
  });
});
