// The item-result file format: a checksummed header, then the v8-serialised value. A file altered
// or cut short on disk must be reported (and so recomputed), never deserialised as if intact.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHashing } from '../../src/engine/hash.js';
import { cacheLayout } from '../../src/engine/store/cache-layout.js';
import { decodeItemResult, encodeItemResult, itemResultPath, readItemResult, writeItemResult } from '../../src/engine/store/item-results.js';

describe('item results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glioflow-items-'));
  const layout = cacheLayout(dir);
  const value = { series: 's1', ratios: new Float64Array([0.25, 0.5, 1]), n: 3, nested: [{ a: 'b' }] };
  beforeAll(async () => {
    await initHashing();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips values with typed arrays, one file per item key', () => {
    writeItemResult(layout, '0123456789abcdef', value);
    expect(itemResultPath(layout, '0123456789abcdef')).toBe(join(dir, 'cache', 'items', '01', '23456789abcdef'));
    const read = readItemResult(layout, '0123456789abcdef');
    expect(read).toEqual({ state: 'ok', value });
    expect(read.state === 'ok' && read.value).toMatchObject({ ratios: expect.any(Float64Array) });
  });

  it('says missing for an absent file', () => {
    expect(readItemResult(layout, 'ffffffffffffffff')).toEqual({ state: 'missing' });
  });

  it('says altered for a flipped payload byte, a truncated file and a bad header', () => {
    const bytes = encodeItemResult(value);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 2] = (flipped[flipped.length - 2] as number) ^ 0x10;
    expect(decodeItemResult(flipped)).toMatchObject({ state: 'altered', why: expect.stringContaining('hash') });
    expect(decodeItemResult(bytes.subarray(0, bytes.length - 3))).toMatchObject({ state: 'altered' });
    expect(decodeItemResult(bytes.subarray(0, 10))).toMatchObject({ state: 'altered', why: expect.stringContaining('header') });
    expect(decodeItemResult(Buffer.from('a1b2c3d4e5f6071\n'))).toMatchObject({ state: 'altered' });
  });

  it('takes a ref file of the earlier layout (an object hash) as missing: the item reruns, verify reports no damage', () => {
    writeFileSync(itemResultPath(layout, '0123456789abcdef'), 'a1b2c3d4e5f60718\n');
    expect(readItemResult(layout, '0123456789abcdef')).toEqual({ state: 'missing' });
    writeItemResult(layout, '0123456789abcdef', value);
    expect(readItemResult(layout, '0123456789abcdef')).toEqual({ state: 'ok', value });
  });

  it('writes through a temporary file: no partial file under the key, no temporary left', () => {
    writeItemResult(layout, 'aaaaaaaaaaaaaaaa', value);
    const bytes = readFileSync(itemResultPath(layout, 'aaaaaaaaaaaaaaaa'));
    expect(decodeItemResult(bytes).state).toBe('ok');
    expect(readFileSync(itemResultPath(layout, 'aaaaaaaaaaaaaaaa'))).toEqual(encodeItemResult(value));
    expect(readdirSync(join(dir, 'cache', 'items', 'aa'))).toEqual(['aaaaaaaaaaaaaa']);
  });
});
