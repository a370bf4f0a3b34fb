// gc compacts item packs: when later runs leave a pack mostly unused, the records still kept are copied into a new
// pack and the old one goes; the cache verifies, the freed bytes are exact, and nothing reruns.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirBytes, fourStagePipeline, indexedItems, keyRecord, readLockFile, TestProject } from './helpers.js';

const packsOf = (p: TestProject): string[] => readdirSync(join(p.dir, 'cache', 'items', 'packs')).filter((f) => f.endsWith('.pack'));

/** Rewrites every item index to the last line of each key the current runs use: the state a gc without compaction left. */
function trimIndexes(p: TestProject): void {
  const used = new Set(Object.values(readLockFile(p.dir)).flatMap((entry) => Object.values(keyRecord(p.dir, entry.key).itemKeys)));
  const dir = join(p.dir, 'cache', 'items', 'index');
  for (const name of readdirSync(dir)) {
    const last = new Map<string, string>();
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) if (/ \.$/.test(line) && used.has(line.slice(0, 16))) last.set(line.slice(0, 16), line);
    writeFileSync(join(dir, name), [...last.values()].map((l) => `${l}\n`).join(''));
  }
}

/** Two runs, three of four folders changed in between: the first run's packs keep one live record of four. */
function twoRuns(prefix: string): TestProject {
  const p = new TestProject(prefix);
  p.makeInputs(4, 2);
  p.write('pipeline.yaml', fourStagePipeline());
  expect(p.run().summary.ok).toBe(true);
  for (const f of [1, 2, 3]) p.write(`input/f${f}/0.txt`, `changed ${f}\n`);
  expect(p.run().summary.ok).toBe(true);
  return p;
}

describe('gc compacts mostly-dead item packs', () => {
  it('rewrites an index whose new lines are as long as the old ones (a cache trimmed by a gc without compaction)', () => {
    const p = twoRuns('glioflow-gc-compact-trimmed-');
    trimIndexes(p);
    const before = dirBytes(join(p.dir, 'cache'));
    const r = p.cli(['gc', '--keep', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(Number(/\((\d+) bytes\)/.exec(r.stdout)?.[1])).toBe(before - dirBytes(join(p.dir, 'cache')));
    expect(new Set(packsOf(p))).toEqual(indexedItems(p.dir).packs); // no index line names a deleted pack
    const forced = p.run(['--force']);
    expect(forced.summary.ok).toBe(true);
    expect(forced.itemsRan).toEqual([]);
  });

  it('counts a compacted pack that is there already (same content) as no bytes added', () => {
    const p = twoRuns('glioflow-gc-compact-again-');
    // a gc that wrote its compacted packs and was killed before rewriting the indexes: the packs are there, unindexed
    const snapshot = new Map(readdirSync(join(p.dir, 'cache', 'items', 'index')).map((n) => [n, readFileSync(join(p.dir, 'cache', 'items', 'index', n))]));
    const oldPacks = new Map(packsOf(p).map((n) => [n, readFileSync(join(p.dir, 'cache', 'items', 'packs', n))]));
    expect(p.cli(['gc', '--keep', '1']).code).toBe(0);
    for (const [n, bytes] of snapshot) writeFileSync(join(p.dir, 'cache', 'items', 'index', n), bytes);
    for (const [n, bytes] of oldPacks) writeFileSync(join(p.dir, 'cache', 'items', 'packs', n), bytes);
    const before = dirBytes(join(p.dir, 'cache'));
    const dry = p.cli(['gc', '--keep', '1', '--dry-run']);
    const r = p.cli(['gc', '--keep', '1']);
    expect(r.code, r.stderr).toBe(0);
    const freed = before - dirBytes(join(p.dir, 'cache'));
    expect(Number(/\((\d+) bytes\)/.exec(r.stdout)?.[1])).toBe(freed);
    expect(Number(/\((\d+) bytes\)/.exec(dry.stdout)?.[1])).toBe(freed);
    expect(p.run(['--force']).itemsRan).toEqual([]);
  });

  it('copies the kept records of a pack they fill less than half of, and drops the old pack', () => {
    const p = new TestProject('glioflow-gc-compact-');
    p.makeInputs(4, 2);
    p.write('pipeline.yaml', fourStagePipeline());
    expect(p.run().summary.ok).toBe(true);
    const first = new Set(packsOf(p));
    // three of the four folders change: the first run's packs keep one live record of four
    for (const f of [1, 2, 3]) p.write(`input/f${f}/0.txt`, `changed ${f}\n`);
    expect(p.run().summary.ok).toBe(true);

    const before = dirBytes(join(p.dir, 'cache'));
    const r = p.cli(['gc', '--keep', '1']);
    expect(r.code, r.stderr).toBe(0);
    const freed = Number(/\((\d+) bytes\)/.exec(r.stdout)?.[1]);
    expect(freed).toBe(before - dirBytes(join(p.dir, 'cache')));

    const after = packsOf(p);
    expect(after.filter((f) => first.has(f))).toEqual([]); // every first-run pack was compacted away
    expect(new Set(after)).toEqual(indexedItems(p.dir).packs); // and every pack left is indexed
    for (const f of after) expect(statSync(join(p.dir, 'cache', 'items', 'packs', f)).size).toBeGreaterThan(0);

    expect(p.cli(['verify']).code).toBe(0);
    const again = p.run();
    expect(again.itemsRan).toEqual([]); // the copied records are found: nothing reruns
    expect(again.summary.stages.every((s) => s.status === 'cached')).toBe(true);
    // and after a forced rerun of every stage the copied results are reused too
    const forced = p.run(['--force']);
    expect(forced.summary.ok).toBe(true);
    expect(forced.itemsRan).toEqual([]);
  });
});
