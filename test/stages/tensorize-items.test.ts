// A tensorize item's cached result is reused whenever its hash matches, so everything its input carries must be
// covered by that hash: a slice's position in its series (`index`) is not, as a file added to the series (kept or
// not) shifts it while every kept file stays the same.
import { describe, expect, it } from 'vitest';
import { initHashing } from '../../src/engine/hash.js';
import { tensorItem } from '../../src/stages/data/tensorize-stage.js';

const series = (firstIndex: number) => ({
  series: '1.2.3.4',
  patient: 'TCGA-S1-0001',
  sequence: 'T1post',
  plane: 'axial',
  rows: 32,
  columns: 32,
  kept: [
    { file: 'P/s/1-02.dcm', frame: 0, hash: 'aaaaaaaaaaaaaaaa', index: firstIndex },
    { file: 'P/s/1-03.dcm', frame: 0, hash: 'bbbbbbbbbbbbbbbb', index: firstIndex + 1 },
  ],
});

describe('tensorize items', () => {
  it('carry nothing their hash does not cover: same kept files, shifted slice indices, same item', async () => {
    await initHashing();
    const before = tensorItem(series(1), '/data/raw');
    const after = tensorItem(series(2), '/data/raw'); // a file was added before the kept slices
    expect(after.hash).toBe(before.hash);
    expect(after.input).toEqual(before.input);
  });

  it('change their hash when a kept file changes', async () => {
    await initHashing();
    const changed = series(1);
    changed.kept[1] = { ...changed.kept[1], hash: 'cccccccccccccccc' } as (typeof changed.kept)[number];
    expect(tensorItem(changed, '/data/raw').hash).not.toBe(tensorItem(series(1), '/data/raw').hash);
  });
});
