// gc compacts item packs: when later runs leave a pack mostly unused, the records still kept are copied into a new
// pack and the old one goes; the cache verifies, the freed bytes are exact, and nothing reruns.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirBytes, fourStagePipeline, indexedItems, TestProject } from './helpers.js';

const packsOf = (p: TestProject): string[] => readdirSync(join(p.dir, 'cache', 'items', 'packs')).filter((f) => f.endsWith('.pack'));

describe('gc compacts mostly-dead item packs', () => {
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
