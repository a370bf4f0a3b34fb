// A run of many items records its item keys as a stored list (store/item-key-list.ts), not inline in its key record:
// gc keeps what the list names, verify checks it, and a rerun finds every item cached. The inline limit is lowered
// (GLIOFLOW_INLINE_ITEM_KEYS=3) so a few items take the list's path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fourStagePipeline, keyRecord, objectPath, readLockFile, TestProject } from './helpers.js';

const env = { GLIOFLOW_INLINE_ITEM_KEYS: '3' };

describe('item key lists', () => {
  it('are stored as an object past the inline limit, kept by gc, checked by verify, and reused', () => {
    const p = new TestProject('glioflow-item-keys-');
    p.makeInputs(6, 2);
    p.write('pipeline.yaml', fourStagePipeline({ factor: 2 }));
    expect(p.cli(['run', '--json'], env).code).toBe(0);
    const lock = readLockFile(p.dir);
    const [name, entry] = Object.entries(lock).find(([, e]) => keyRecord(p.dir, e.key).itemKeys !== undefined && 'itemKeyList' in keyRecord(p.dir, e.key)) ?? [];
    expect(name, 'a stage with more than 3 items records a list').toBeDefined();
    const record = keyRecord(p.dir, entry?.key ?? '') as ReturnType<typeof keyRecord> & { itemKeyList: { hash: string; count: number } };
    expect(record.itemKeys).toEqual({});
    expect(record.itemKeyList.count).toBe(6);
    const lines = readFileSync(objectPath(p.dir, record.itemKeyList.hash), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toMatch(/^[0-9a-f]{16} \S+$/);

    expect(p.cli(['gc', '--keep', '1'], env).code).toBe(0);
    const verified = p.cli(['verify'], env);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/ok: .* item results verified/);
    // a forced rerun of every stage: each item is found in the cache gc left
    const again = p.cli(['run', '--json', '--force'], env);
    const summary = JSON.parse(again.stdout.trim().split('\n').pop() ?? '{}') as { stages: { name: string; items: { total: number; ran: number } }[] };
    for (const s of summary.stages) expect(s.items.ran, s.name).toBe(0);
    expect(summary.stages.some((s) => s.items.total === 6)).toBe(true);
  });
});
