// gc and checkpoints: cache/state/<stage>/<key>/ (a stage's ctx.stateDir, left by an interrupted run) stays only while
// its key is the key the stage would run under now (upstream outputs as pipeline.lock records them), so a rerun can
// resume from it; any other state folder is garbage. After `gc --keep 0`, every byte left in cache/ is accounted for:
// the test lists what is there and why.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fourStagePipeline, indexedItems, keyRecord, readLockFile, TestProject, walkFiles } from './helpers.js';

const checkpoint = (p: TestProject, stage: string, key: string, bytes = 1000): string => {
  const dir = join(p.dir, 'cache', 'state', stage, key);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'checkpoint.bin'), Buffer.alloc(bytes, 7));
  return dir;
};

describe('gc and the checkpoints of interrupted runs', () => {
  it('keeps the state folder a rerun would resume from, removes every other one, and leaves nothing unaccounted for', () => {
    const p = new TestProject('glioflow-gc-state-');
    p.makeInputs(3, 2);
    p.write('pipeline.yaml', fourStagePipeline({ factor: 2 }));
    expect(p.run().summary.ok).toBe(true);
    const old = readLockFile(p.dir);
    // a param of `double` changes; a run of it under the new key was interrupted (its checkpoint is under the new key)
    p.write('pipeline.yaml', fourStagePipeline({ factor: 3 }));
    const status = JSON.parse(p.cli(['status', '--json']).stdout) as { stages: { name: string; state: string; key: string | null }[] };
    const current = status.stages.find((s) => s.name === 'double')?.key as string;
    expect(current).toMatch(/^[0-9a-f]{16}$/);
    expect(current).not.toBe(old['double']?.key);

    const resumable = checkpoint(p, 'double', current);
    const otherParams = checkpoint(p, 'double', old['double']?.key as string); // factor 2: not what a run now would use
    const unknownKey = checkpoint(p, 'double', '0123456789abcdef');
    const goneStage = checkpoint(p, 'train_OldModel', 'fedcba9876543210');
    writeFileSync(join(p.dir, 'cache', 'state', 'stray.txt'), 'x');

    const dry = p.cli(['gc', '--keep', '0', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would remove 0 runs, 0 objects, 0 item results and 4 checkpoint folders/);
    expect(existsSync(otherParams)).toBe(true);

    const r = p.cli(['gc', '--keep', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ and 4 checkpoint folders; freed/);
    expect(r.stdout).toContain(`removed checkpoints of double under key ${old['double']?.key}`);
    expect(existsSync(resumable)).toBe(true);
    for (const gone of [otherParams, unknownKey, goneStage, join(p.dir, 'cache', 'state', 'stray.txt')]) expect(existsSync(gone), gone).toBe(false);

    // Every file left, and what accounts for it.
    const lock = readLockFile(p.dir);
    const lockKeys = new Set(Object.values(lock).map((e) => e.key));
    const lockObjects = new Set(Object.values(lock).flatMap((e) => [...Object.values(e.outputs).map((o) => o.hash), ...e.deps.map((d) => d.listing)]));
    const itemKeys = new Set(Object.values(lock).flatMap((e) => Object.values(keyRecord(p.dir, e.key).itemKeys)));
    const indexed = indexedItems(p.dir);
    const why = (file: string): string | undefined => {
      const parts = file.split('/');
      if (['stat-cache.json', 'output-stat-cache.json', 'deps.json', 'pipeline.parsed.json'].includes(file)) return 'hash and parse caches';
      if (parts[0] === 'dep-stats' && parts.length === 2 && (parts[1] ?? '').endsWith('.arrow')) return 'hash and parse caches'; // a dep's stat table
      if (parts[0] === 'objects' && lockObjects.has(`${parts[1]}${parts[2]}`)) return 'object pipeline.lock references';
      if (parts[0] === 'keys' && lockKeys.has(`${parts[1]}${(parts[2] ?? '').replace(/\.json$/, '')}`)) return 'key record of a locked run';
      if (parts[0] === 'manifests' && lockKeys.has((JSON.parse(readFileSync(join(p.dir, 'cache', file), 'utf8')) as { key: string }).key)) return 'manifest of a locked run';
      if (parts[0] === 'items' && parts[1] === 'packs' && indexed.packs.has(parts[2] ?? '')) return 'item pack an index line points into';
      if (parts[0] === 'items' && parts[1] === 'index') return 'item index';
      if (parts[0] === 'state' && parts[1] === 'double' && parts[2] === current) return 'checkpoint a rerun resumes from';
      return undefined;
    };
    const left = [...walkFiles(join(p.dir, 'cache'))].map((f) => relative(join(p.dir, 'cache'), f));
    expect(left.filter((f) => why(f) === undefined)).toEqual([]);
    expect([...indexed.keys].filter((k) => !itemKeys.has(k))).toEqual([]); // the indexes list only the locked runs' items
    expect(new Set(left.map(why))).toEqual(new Set(['hash and parse caches', 'object pipeline.lock references', 'key record of a locked run', 'manifest of a locked run', 'item pack an index line points into', 'item index', 'checkpoint a rerun resumes from']));
    expect(readdirSync(join(p.dir, 'cache', 'state'))).toEqual(['double']);
    expect(p.cli(['verify']).code).toBe(0);
  });
});
