// A dep's snapshot at scale (file-tree.ts): the walk gives files in sorted path order without sorting them all, the
// signature and content hash are the bytes they have always been (so deps.json and keys of earlier versions stay
// valid), the listing is an Arrow table, a stat table per dep spares re-reading unchanged files, and the JSON listing and stat
// cache of an earlier version are read.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DepIndex, listFiles, snapshotDep, type DepSnapshot } from '../../src/engine/file-tree.js';
import { hashBytes, hashFile, hashParts, initHashing } from '../../src/engine/hash.js';
import { StatCache } from '../../src/engine/stat-cache.js';
import { ObjectStore } from '../../src/engine/store/object-store.js';
import { readListing } from '../../src/engine/store/listing.js';

function project(): { root: string; tools: { stats: StatCache; statDir: string; index: DepIndex; store: ObjectStore } } {
  const root = mkdtempSync(join(tmpdir(), 'glioflow-dep-'));
  // names whose folder order and full-path order differ if folders were sorted by name alone: "a-b/x" < "a/x"
  for (const f of ['a/x.dcm', 'a-b/x.dcm', 'a.txt', 'ab/c/d.dcm', 'b', 'a/y/z.dcm', 'A/1', '.hidden', 'a/.swp']) {
    mkdirSync(join(root, 'raw', f, '..'), { recursive: true });
    writeFileSync(join(root, 'raw', f), `content of ${f}`);
  }
  const old = new Date(Date.now() - 60_000); // outside the racy window
  for (const f of listFiles(join(root, 'raw'))) utimesSync(f.absolute, old, old);
  return { root, tools: { stats: new StatCache(join(root, 'stat-cache.json')), statDir: join(root, 'dep-stats'), index: new DepIndex(join(root, 'deps.json')), store: new ObjectStore(join(root, 'objects')) } };
}

async function listed(snap: DepSnapshot): Promise<string[]> {
  const out: string[] = [];
  for await (const f of snap.each()) out.push(f.relative);
  return out;
}

describe('dep snapshots', () => {
  beforeAll(async () => {
    await initHashing();
  });

  it('list files in sorted path order, skip dot-files, and hash as hashParts always did', async () => {
    const { root, tools } = project();
    const snap = await snapshotDep(root, 'raw', tools);
    const files = await listed(snap);
    expect(files).toEqual([...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(files).toEqual(['A/1', 'a-b/x.dcm', 'a.txt', 'a/x.dcm', 'a/y/z.dcm', 'ab/c/d.dcm', 'b']);
    const hashes = await Promise.all(files.map(async (f) => (await hashFile(join(root, 'raw', f))).hash));
    expect(snap.hash).toBe(hashParts(files.flatMap((f, i) => [f, hashes[i] as string])));
    // the stat signature recorded in deps.json: paths joined by NUL, then the (size, mtime, inode) float64s
    await tools.index.save();
    const entry = (JSON.parse(readFileSync(join(root, 'deps.json'), 'utf8')) as Record<string, { signature: string }>)['raw'];
    const stats = listFiles(join(root, 'raw')).map((f) => {
      const st = statSync(f.absolute);
      return [st.size, st.mtimeMs, st.ino];
    });
    expect(entry?.signature).toBe(hashParts([files.join('\0'), hashBytes(new Uint8Array(new Float64Array(stats.flat()).buffer))]));
    // the listing is an Arrow table
    expect(readFileSync(tools.store.path(snap.listing)).subarray(0, 6).toString('latin1')).toBe('ARROW1');
  });

  it('re-reads only the files whose stat changed, and reads a JSON listing of an earlier version', async () => {
    const { root, tools } = project();
    const first = await snapshotDep(root, 'raw', tools);
    writeFileSync(join(root, 'raw', 'b'), 'changed');
    utimesSync(join(root, 'raw', 'b'), new Date(Date.now() - 30_000), new Date(Date.now() - 30_000));
    // a file whose stat is unchanged but whose bytes differ keeps its recorded hash: proof the listing was used
    const sneaky = join(root, 'raw', 'a.txt');
    const st = statSync(sneaky);
    writeFileSync(sneaky, 'CONTENT OF a.txt'); // same length
    utimesSync(sneaky, st.atime, st.mtime);
    const second = await snapshotDep(root, 'raw', tools);
    expect(second.hash).not.toBe(first.hash);
    const before = new Map((await first.files()).map((f) => [f.relative, f.hash]));
    const after = new Map((await second.files()).map((f) => [f.relative, f.hash]));
    expect(after.get('a.txt')).toBe(before.get('a.txt'));
    expect(after.get('b')).not.toBe(before.get('b'));

    // a cache of an earlier version: no stat table, a JSON stat cache keyed by absolute path, a JSON listing
    rmSync(tools.statDir, { recursive: true });
    const legacyStats: Record<string, { size: number; mtimeMs: number; ino: number; hash: string; hashedAt: number }> = {};
    for (const f of await second.files()) {
      const st2 = statSync(join(root, 'raw', f.relative));
      legacyStats[`${root}/raw/${f.relative}`] = { size: st2.size, mtimeMs: st2.mtimeMs, ino: st2.ino, hash: f.hash, hashedAt: Date.now() };
    }
    writeFileSync(join(root, 'stat-cache.json'), JSON.stringify(legacyStats));
    const legacy = await tools.store.put(JSON.stringify(await second.files()));
    const entry = tools.index.get('raw');
    tools.index.set('raw', { ...(entry as NonNullable<typeof entry>), signature: 'stale', listing: legacy.hash });
    const third = await snapshotDep(root, 'raw', { ...tools, stats: new StatCache(join(root, 'stat-cache.json')) });
    expect(third.hash).toBe(second.hash); // a.txt's recorded hash came from the old stat cache
    const old: string[] = [];
    for await (const f of readListing(tools.store, legacy.hash, 'raw')) old.push(f.relative);
    expect(old).toEqual(await listed(second));
  });
});
