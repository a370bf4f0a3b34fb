// hashFile reads small files in one call and streams large ones: both roads must give the hash
// of the bytes (xxhash-wasm's h64Raw of the whole content), and the size.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import xxhash from 'xxhash-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { hashFile, initHashing } from '../../src/engine/hash.js';

describe('hashFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glioflow-hashfile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['empty', 0],
    ['small', 12_345],
    ['exactly 1 MiB', 1 << 20],
    ['1 MiB + 1 (streamed)', (1 << 20) + 1],
    ['3.5 MiB (streamed, several chunks)', 3.5 * (1 << 20)],
  ])('%s: the hash and size of the bytes', async (_name, size) => {
    await initHashing();
    const { h64Raw } = await xxhash();
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 2654435761) >>> 24;
    const file = join(dir, `f${size}`);
    writeFileSync(file, bytes);
    expect(await hashFile(file)).toEqual({ hash: h64Raw(bytes).toString(16).padStart(16, '0'), size });
  });
});
