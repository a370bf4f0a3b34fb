// An item function that throws (a file that cannot be read right now) must fail its stage, not become part of a
// stage output that the cache would then serve until some input changed. Content-based rejections stay results.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initHashing } from '../../src/engine/hash.js';
import { GlioflowFailure } from '../../src/engine/result.js';
import type { ItemOutcome, JsonValue, StageContext, UpstreamOutputs } from '../../src/engine/stage-api.js';
import indexStage from '../../src/stages/ingest/index-stage.js';
import { indexFile } from '../../src/stages/ingest/index-items.js';
import ratiosStage from '../../src/stages/ingest/ratios-stage.js';
import type { IndexOutput } from '../../src/stages/ingest/types.js';
import { succeededItems } from '../../src/stages/item-failures.js';
import { ArrowTableWriter } from '../../src/tables/arrow.js';
import { SLICE_COLUMNS } from '../../src/stages/ingest/tables.js';

const readError = { kind: 'item-threw', message: "EMFILE: too many open files, open 'raw/P1/b.dcm'" };

/** Just what the index and ratios stages use; forEachItem answers with the given outcomes. */
function fakeContext(stage: string, outcomes: ItemOutcome<unknown>[], upstream?: { index: IndexOutput; dir: string }): { ctx: StageContext; written: string[] } {
  const written: string[] = [];
  const ctx = {
    stage,
    root: '/project',
    deps: ['/project/raw'],
    scratchDir: mkdtempSync(join(tmpdir(), 'glioflow-item-failures-')),
    depFileCount: outcomes.length,
    eachDepFile: async function* () {
      for (const o of outcomes) yield { dep: 'raw', path: `/project/raw/${o.id}`, relative: o.id, hash: `h-${o.id}`, size: 1 };
    },
    upstreamOf: (): UpstreamOutputs => ({ stage: 'index', uses: 'index', readJson: async <T>() => upstream?.index as T, path: (o: string) => join(upstream?.dir ?? '', o) } as unknown as UpstreamOutputs),
    forEachItem: async (items: Iterable<unknown> | AsyncIterable<unknown>, _work: unknown, _options: unknown, each: (o: ItemOutcome<unknown>) => void) => {
      for await (const _item of items) void _item; // the stage's items are read, as the engine would
      for (const o of outcomes) each(o);
      return { total: outcomes.length, failed: outcomes.filter((o) => !o.ok).length };
    },
    writeOutput: async (name: string) => {
      written.push(name);
      return { hash: 'x', size: 0 };
    },
    writeOutputFile: async (name: string) => {
      written.push(name);
      return { hash: 'x', size: 0 };
    },
    log: () => undefined,
    record: (_name: string, _value: JsonValue) => undefined,
  } as unknown as StageContext;
  return { ctx, written };
}

describe('item failures', () => {
  beforeAll(async () => {
    await initHashing(); // the stages hash item keys before mapping
  });

  it('succeededItems returns the values when none failed, and names the failed items otherwise', () => {
    expect(succeededItems('s', [{ id: 'a', ok: true, value: 1, cached: false }, { id: 'b', ok: true, value: 2, cached: true }], 'files')).toEqual([{ id: 'a', value: 1 }, { id: 'b', value: 2 }]);
    const outcomes: ItemOutcome<number>[] = [
      { id: 'a', ok: true, value: 1, cached: false },
      ...['b', 'c', 'd', 'e'].map((id) => ({ id, ok: false as const, error: { kind: 'item-threw', message: `cannot read ${id}` } })),
    ];
    let thrown: unknown;
    try {
      succeededItems('index', outcomes, 'files');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GlioflowFailure);
    const detail = (thrown as GlioflowFailure).detail;
    expect(detail).toMatchObject({ kind: 'item-failed', stage: 'index', item: 'b' });
    expect(detail.message).toBe('4 of 5 files failed: b: cannot read b; c: cannot read c; d: cannot read d; and 1 more');
    expect(detail.hint).toContain('the other 1 are kept');
  });

  it('indexFile throws when the file cannot be read, and rejects what the bytes say is not DICOM', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glioflow-index-item-'));
    expect(() => indexFile({ path: join(dir, 'gone.dcm'), relative: 'gone.dcm' })).toThrow(/ENOENT/);
    writeFileSync(join(dir, 'notes.txt'), 'not a DICOM file at all, but readable');
    const r = indexFile({ path: join(dir, 'notes.txt'), relative: 'notes.txt' });
    expect('rejected' in r && r.rejected.file).toBe('notes.txt');
  });

  it('the index stage fails, writing no output, when a file could not be read', async () => {
    const { ctx, written } = fakeContext('index', [
      { id: 'P1/a.dcm', ok: true, value: { rejected: { file: 'P1/a.dcm', reason: 'not-dicom', message: 'no DICM' } }, cached: false },
      { id: 'P1/b.dcm', ok: false, error: readError },
    ]);
    await expect(indexStage.run(ctx)).rejects.toThrow(/1 of 2 files failed: P1\/b\.dcm: EMFILE/);
    expect(written).toEqual([]);
  });

  it('the ratios stage fails, writing no output, when a series could not be read', async () => {
    const index: IndexOutput = { root: 'raw', patients: [], counts: { files: 2, series: 2, slices: 2, rejected: 0 }, tables: { files: 'files.arrow', series: 'series.arrow', slices: 'slices.arrow', rejected: 'rejected.arrow' } };
    const dir = mkdtempSync(join(tmpdir(), 'glioflow-index-tables-'));
    const slices = new ArrowTableWriter(join(dir, 'slices.arrow'), SLICE_COLUMNS);
    for (const [series, file] of [['S1', 'P1/a.dcm'], ['S2', 'P1/b.dcm']] as const) slices.append({ series, file, frame: 0, position: 0, index: 0, hash: 'h' });
    slices.close();
    const { ctx, written } = fakeContext('ratios', [
      { id: 'S1', ok: true, value: [], cached: true },
      { id: 'S2', ok: false, error: readError },
    ], { index, dir });
    await expect(ratiosStage.run(ctx)).rejects.toThrow(/1 of 2 series failed: S2: EMFILE/);
    expect(written).toEqual([]);
  });
});
