// `glioflow gc --keep N` keeps the objects of the last N runs of each stage and everything
// pipeline.lock references (and the upstream runs those read), reports what it freed, and leaves
// a cache that verifies and reruns nothing. `status` shows the cache size.
import { existsSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirBytes, fourStagePipeline, indexedItems, keyRecord, objectPath, readLockFile, TestProject, type LockEntry } from './helpers.js';

/** `status --json`'s cacheBytes, and the size of cache/ measured here right after it (status writes nothing after measuring). */
const cacheBytesFromStatus = (p: TestProject): { json: number; measured: number } => {
  const json = (JSON.parse(p.cli(['status', '--json']).stdout) as { cacheBytes: number }).cacheBytes;
  return { json, measured: dirBytes(join(p.dir, 'cache')) };
};

const manifestsOf = (p: TestProject, stage: string): string[] => readdirSync(join(p.dir, 'cache', 'manifests', stage));

function gc(p: TestProject, args: string[]): { stdout: string; freed: number; removedKeys: string[] } {
  const r = p.cli(['gc', ...args]);
  expect(r.code, r.stderr).toBe(0);
  const freed = Number(/\((\d+) bytes\)/.exec(r.stdout)?.[1]);
  const removedKeys = [...r.stdout.matchAll(/run of [\w@-]+: key ([0-9a-f]{16})/g)].map((m) => m[1] as string);
  return { stdout: r.stdout, freed, removedKeys };
}

describe('gc --keep N', () => {
  const p = new TestProject('glioflow-gc-');
  const runs: Record<number, Record<string, LockEntry>> = {};

  it('status shows the cache size, measured like du', () => {
    p.makeInputs(4, 2);
    for (const factor of [2, 3, 4]) {
      p.write('pipeline.yaml', fourStagePipeline({ factor }));
      expect(p.run().summary.ok).toBe(true);
      runs[factor] = readLockFile(p.dir);
    }
    const { json, measured } = cacheBytesFromStatus(p);
    expect(json).toBe(measured);
    const text = p.cli(['status']).stdout;
    const shown = /^cache: ([\d.]+) KB$/m.exec(text);
    expect(shown, text).not.toBeNull();
    expect(Math.abs(Number(shown?.[1]) * 1024 - json)).toBeLessThan(0.05 * 1024 + 64); // same size, rounded to 0.1 KB
  });

  it('--dry-run reports what it would free and deletes nothing', () => {
    const before = dirBytes(join(p.dir, 'cache'));
    const r = gc(p, ['--keep', '1', '--dry-run']);
    expect(r.stdout).toMatch(/would free/);
    expect(r.freed).toBeGreaterThan(0);
    expect(dirBytes(join(p.dir, 'cache'))).toBe(before);
  });

  it('stops, deleting nothing, at an item index it cannot read, and names it', () => {
    const bad = join(p.dir, 'cache', 'items', 'index', '0000000000000000.idx');
    mkdirSync(bad); // a folder where an index file goes: reading it fails with EISDIR, not ENOENT
    const before = dirBytes(join(p.dir, 'cache'));
    const r = p.cli(['gc', '--keep', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot read the item index');
    expect(r.stderr).toContain('0000000000000000.idx');
    expect(dirBytes(join(p.dir, 'cache'))).toBe(before);
    rmSync(bad, { recursive: true });
  });

  it('removes the older runs and their objects, reports the bytes it freed, and keeps a cache that verifies and reruns nothing', () => {
    const old = [2, 3].flatMap((f) => ['double', 'shift', 'summary'].map((s) => runs[f]?.[s] as LockEntry));
    const current = runs[4] as Record<string, LockEntry>;
    const oldItemKeys = Object.values(keyRecord(p.dir, runs[2]?.['double']?.key as string).itemKeys);
    const before = dirBytes(join(p.dir, 'cache'));
    const summaryBefore = p.read('experiments/summary.json');

    const r = gc(p, ['--keep', '1']);
    // it names exactly the six older runs (digest never changed: one run, kept)
    expect(r.removedKeys.sort()).toEqual(old.map((e) => e.key).sort());
    expect(r.stdout).toMatch(/removed 6 runs/);
    const after = dirBytes(join(p.dir, 'cache'));
    expect(r.freed).toBe(before - after);

    // the old runs' outputs, item results and manifests are gone; the current ones are there
    for (const e of old) for (const o of Object.values(e.outputs)) expect(existsSync(objectPath(p.dir, o.hash)), `${e.stage} ${o.hash}`).toBe(false);
    const indexed = indexedItems(p.dir);
    for (const k of oldItemKeys) expect(indexed.keys.has(k), `item ${k}`).toBe(false);
    // and no pack is left that no index line points into
    expect(readdirSync(join(p.dir, 'cache', 'items', 'packs')).sort()).toEqual([...indexed.packs].sort());
    for (const e of Object.values(current)) for (const o of Object.values(e.outputs)) expect(existsSync(objectPath(p.dir, o.hash))).toBe(true);
    for (const stage of ['digest', 'double', 'shift', 'summary']) expect(manifestsOf(p, stage)).toHaveLength(1);

    expect(p.cli(['verify']).code).toBe(0);
    const again = p.run();
    expect(again.itemsRan).toEqual([]);
    expect(again.summary.stages.every((s) => s.status === 'cached')).toBe(true);
    expect(p.read('experiments/summary.json')).toBe(summaryBefore);
    // status shows the smaller size
    const shown = cacheBytesFromStatus(p);
    expect(shown.json).toBe(shown.measured);
    expect(shown.json).toBeLessThan(before);
  });

  it('keeps the upstream run a locked stage read, even when that upstream has a newer run', () => {
    // `run double` with factor 5: the lock's double is factor 5, but shift and summary (and the
    // file people read) still come from double at factor 4
    p.write('pipeline.yaml', fourStagePipeline({ factor: 5 }));
    expect(p.run(['double']).summary.ok).toBe(true);
    const r = gc(p, ['--keep', '1']);
    expect(r.removedKeys).not.toContain(runs[4]?.['double']?.key);
    expect(p.cli(['verify']).code).toBe(0);
    const explained = JSON.parse(p.cli(['explain', 'experiments/summary.json', '--json']).stdout) as { chain: { stage: string; params: Record<string, unknown> }[]; unresolved: string[] };
    expect(explained.chain.map((s) => s.stage)).toEqual(['summary', 'shift', 'double', 'digest']);
    expect(explained.chain[2]?.params['factor']).toBe(4);
    expect(explained.unresolved).toEqual([]);
    // going back to factor 4 recomputes nothing
    p.write('pipeline.yaml', fourStagePipeline({ factor: 4 }));
    const back = p.run();
    expect(back.itemsRan).toEqual([]);
    expect(back.summary.stages.every((s) => s.status === 'cached')).toBe(true);
  });

  it('--keep 0 keeps exactly what pipeline.lock references, even a locked stage whose key record and manifest are gone', () => {
    const lock = readLockFile(p.dir);
    // the lock alone must keep summary's objects: its key record and manifest are gone
    rmSync(join(p.dir, 'cache', 'keys', lock['summary']?.key.slice(0, 2) as string, `${lock['summary']?.key.slice(2)}.json`));
    rmSync(join(p.dir, 'cache', 'manifests', 'summary'), { recursive: true });
    gc(p, ['--keep', '0']);
    for (const e of Object.values(lock)) {
      for (const o of Object.values(e.outputs)) expect(existsSync(objectPath(p.dir, o.hash)), `${e.stage}: ${o.hash}`).toBe(true);
      for (const d of e.deps) expect(existsSync(objectPath(p.dir, d.listing))).toBe(true);
    }
    expect(p.cli(['verify']).code).toBe(0);
    const again = p.run();
    expect(again.itemsRan).toEqual([]);
    expect(p.cli(['verify']).code).toBe(0);
  });

  it('clears temporary files of dead writers, never those of a live process', () => {
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    mkdirSync(join(p.dir, 'cache', 'objects', 'ab'), { recursive: true });
    const deadTemp = join(p.dir, 'cache', 'objects', 'ab', `cdef0123456789.tmp-${dead}-0badc0de`);
    const liveTemp = join(p.dir, 'cache', 'objects', 'ab', `cdef0123456789.tmp-${process.pid}-0badc0de`);
    writeFileSync(deadTemp, 'half an object');
    writeFileSync(liveTemp, 'an object being written');
    gc(p, ['--keep', '1']);
    expect(existsSync(deadTemp)).toBe(false);
    expect(existsSync(liveTemp)).toBe(true);
    rmSync(liveTemp);
  });

  it('refuses --keep that is not a whole number', () => {
    const r = p.cli(['gc', '--keep', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--keep must be a whole number/);
  });
});

describe('gc orders runs by last use, not by when they were made', () => {
  it('a run brought back from the cache counts as just used', () => {
    const p = new TestProject('glioflow-gc-lru-');
    p.makeInputs(2, 1);
    const keys: Record<number, string> = {};
    for (const factor of [2, 3, 4, 2]) {
      p.write('pipeline.yaml', fourStagePipeline({ factor }));
      expect(p.run().summary.ok).toBe(true);
      keys[factor] = readLockFile(p.dir)['double']?.key as string;
    }
    // made in the order 2, 3, 4; 2 then came back from the cache, and now 4 does: by last use
    // 3 is the oldest, then 2, then 4 (the lock's)
    p.write('pipeline.yaml', fourStagePipeline({ factor: 4 }));
    expect(p.run().itemsRan).toEqual([]);
    const r = gc(p, ['--keep', '2']);
    // keeps 4 (locked, last used) and 2 (used before it); 3 goes although 2 is older
    expect(r.removedKeys).toContain(keys[3]);
    expect(r.removedKeys).not.toContain(keys[2]);
    expect(r.removedKeys).not.toContain(keys[4]);
    p.write('pipeline.yaml', fourStagePipeline({ factor: 2 }));
    expect(p.run().itemsRan).toEqual([]);
    expect(p.cli(['verify']).code).toBe(0);
  });
});

