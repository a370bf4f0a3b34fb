// The ingest items' reused read buffer: a lease is never overwritten while it is out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileBytes } from '../../src/stages/ingest/file-bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'glioflow-file-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: number[]): string => {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(bytes));
  return path;
};

describe('readFileBytes', () => {
  it('reads the whole file, and a released buffer is reused for the next file', () => {
    const a = file('a', [1, 2, 3, 4, 5]);
    const b = file('b', [9, 8]);
    const first = readFileBytes(a);
    expect([...first.bytes]).toEqual([1, 2, 3, 4, 5]);
    first.release();
    const second = readFileBytes(b);
    expect([...second.bytes]).toEqual([9, 8]);
    expect(second.bytes.buffer).toBe(first.bytes.buffer); // same backing store: no new allocation
    second.release();
  });

  it('gives a read made while the buffer is leased a buffer of its own', () => {
    const a = file('c', [7, 7, 7]);
    const b = file('d', [1, 1, 1]);
    const held = readFileBytes(a);
    const other = readFileBytes(b);
    expect(other.bytes.buffer).not.toBe(held.bytes.buffer);
    expect([...held.bytes]).toEqual([7, 7, 7]); // not overwritten by the second read
    other.release(); // releasing the private buffer must not free the shared one
    const third = readFileBytes(b);
    expect(third.bytes.buffer).not.toBe(held.bytes.buffer);
    expect([...held.bytes]).toEqual([7, 7, 7]);
    third.release();
    held.release();
    held.release(); // twice is harmless
    const again = readFileBytes(b);
    expect(again.bytes.buffer).toBe(held.bytes.buffer);
    again.release();
  });

  it('grows the buffer for a larger file', () => {
    const big = file('big', Array.from({ length: 70_000 }, (_, i) => i % 251));
    const r = readFileBytes(big);
    expect(r.bytes.length).toBe(70_000);
    expect(r.bytes[69_999]).toBe(69_999 % 251);
    r.release();
  });

  it('throws for a missing file (the caller names it)', () => {
    expect(() => readFileBytes(join(dir, 'missing'))).toThrow(/ENOENT/);
  });
});
