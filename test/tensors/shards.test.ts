import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import pl from 'nodejs-polars';
import { afterAll, describe, expect, it } from 'vitest';
import { formatError } from '../../src/engine/result.js';
import { splitInFold, type Split } from '../../src/splits/index.js';
import { openShardReader, SHARD_FORMAT, writeShards, type Batch, type PatientRows, type ShardInfo, type ShardMetadata, type SliceRow } from '../../src/tensors/index.js';

const SIZE = 6;
const PX = SIZE * SIZE;
const tmp = mkdtempSync(join(tmpdir(), 'glioflow-shards-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The pixel value the test expects at pixel i of a row: unique per (patient, series, slice, i). */
const pixelValue = (p: number, s: number, slice: number, i: number): number => p * 1000 + s * 100 + slice + i / 64;

interface Spec { id: string; idx: number; rows: number; labels: number[]; split: Split; fold: number }
// 10 patients, 1..24 rows; labels and splits chosen by hand (the writer is not a splitter).
const SPLITS: Split[] = ['train', 'train', 'val', 'test', 'train', 'train', 'test', 'val', 'train', 'train'];
const specs: Spec[] = Array.from({ length: 10 }, (_, k) => ({
  id: `TCGA-T${k % 3}-${String(1000 + ((k * 7) % 10)).padStart(4, '0')}`, // not given in sorted order
  idx: k,
  rows: [3, 24, 5, 1, 8, 12, 2, 6, 4, 7][k]!,
  labels: [k % 2, (k >> 1) % 2, k % 3 === 0 ? 1 : 0, k === 4 ? 1 : 0],
  split: SPLITS[k]!,
  fold: k % 3,
}));

function rowsOf(s: Spec, bump = 0): SliceRow[] {
  return Array.from({ length: s.rows }, (_, r) => {
    const series = r % 2;
    return {
      series: `1.2.3.${series}`,
      sequence: series === 0 ? 'T1' : 'FLAIR',
      plane: series === 0 ? 'axial' : 'coronal',
      slice: r,
      pixels: Float32Array.from({ length: PX }, (_, i) => pixelValue(s.idx, series, r, i) + bump),
    };
  });
}
const patient = (s: Spec, bump = 0): PatientRows => ({
  patient: s.id, split: s.split, fold: s.fold, labels: s.labels, rowCount: s.rows,
  // async on purpose: the writer must accept async row sources (decoders are async)
  rows: async function* () { yield* rowsOf(s, bump); },
});

// 144 B per row; 3 KiB shards → runs of several small patients, and the 24-row patient in two parts.
const SHARD_MB = 3072 / 2 ** 20;
async function write(dir: string, list: PatientRows[]): Promise<ShardInfo[]> {
  const r = await writeShards(list, { dir, size: SIZE, shardMb: SHARD_MB, folds: 3, params: { test: true }, batchRows: 4 });
  if (!r.ok) throw new Error(formatError(r.error));
  return r.value;
}

describe('writeShards', () => {
  it('writes shards that a second Arrow implementation (polars) reads back exactly', async () => {
    const dir = join(tmp, 'a');
    const infos = await write(dir, specs.map((s) => patient(s)));
    expect(infos.length).toBeGreaterThan(2);
    expect(infos.some((i) => i.patients.length > 1)).toBe(true); // a run of patients
    expect(infos.filter((i) => i.patients.length === 1 && i.patients[0] === specs[1]!.id).length).toBe(2); // one patient in parts
    expect(infos.reduce((n, i) => n + i.rows, 0)).toBe(specs.reduce((n, s) => n + s.rows, 0));
    const frames = infos.map((i) => pl.readIPC(readFileSync(i.file)));
    const df = pl.concat(frames);
    expect(df.columns).toEqual(['patient', 'series', 'sequence', 'plane', 'slice', 'split', 'fold', 'TP53', 'PTEN', 'EGFR', 'IDH', 'pixels']);
    expect(df.height).toBe(specs.reduce((n, s) => n + s.rows, 0));
    const recs = df.drop('pixels').toRecords() as Record<string, unknown>[];
    const pixels = df.select(pl.col('pixels').explode()).getColumn('pixels').toArray() as number[];
    expect(pixels).toHaveLength(df.height * PX);
    const byId = new Map(specs.map((s) => [s.id, s]));
    const seen = new Set<string>();
    recs.forEach((rec, r) => {
      const s = byId.get(rec.patient as string)!;
      const series = rec.series === '1.2.3.0' ? 0 : 1;
      const slice = rec.slice as number;
      seen.add(`${s.id}/${slice}`);
      expect([rec.split, rec.fold, rec.TP53, rec.PTEN, rec.EGFR, rec.IDH]).toEqual([s.split, s.fold, ...s.labels]);
      expect(rec.sequence).toBe(series === 0 ? 'T1' : 'FLAIR');
      expect(slice % 2).toBe(series);
      for (const i of [0, 7, PX - 1]) expect(pixels[r * PX + i]).toBeCloseTo(pixelValue(s.idx, series, slice, i), 3);
    });
    expect(seen.size).toBe(df.height); // every row once
    // rows grouped by patient, patients in id order across shards, no patient in two splits
    const order = recs.map((r) => r.patient as string);
    const firstSeen = order.filter((p, i) => i === 0 || order[i - 1] !== p);
    expect(firstSeen).toEqual([...new Set(order)].sort());
    const splitOf = new Map<string, Set<unknown>>();
    for (const r of recs) splitOf.set(r.patient as string, (splitOf.get(r.patient as string) ?? new Set()).add(r.split));
    for (const [, s] of splitOf) expect(s.size).toBe(1);
  });

  it('records params, label order and normalisation in the schema metadata', async () => {
    const infos = await write(join(tmp, 'm'), specs.map((s) => patient(s)));
    const t = tableFromIPC(readFileSync(infos[0]!.file));
    const meta = JSON.parse(t.schema.metadata.get(SHARD_FORMAT)!) as ShardMetadata;
    expect(meta.labelOrder).toEqual(['TP53', 'PTEN', 'EGFR', 'IDH']);
    expect(meta.size).toBe(SIZE);
    expect(meta.folds).toBe(3);
    expect(meta.params).toEqual({ test: true });
    expect(meta.normalisation).toMatch(/z-score/);
    expect(meta.batches.reduce((n, b) => n + b.rows, 0)).toBe(t.numRows);
  });

  it('a change in one patient rewrites only that patient’s shard(s); an added patient only the run it joins', async () => {
    const a = await write(join(tmp, 's1'), specs.map((s) => patient(s)));
    const changed = specs[5]!;
    const b = await write(join(tmp, 's2'), specs.map((s) => patient(s, s === changed ? 0.5 : 0)));
    const bytes = (i: ShardInfo): string => readFileSync(i.file).toString('base64');
    const before = new Map(a.map((i) => [basename(i.file), i]));
    expect(b.map((i) => basename(i.file))).toEqual(a.map((i) => basename(i.file)));
    for (const i of b) {
      const same = bytes(i) === bytes(before.get(basename(i.file))!);
      expect([basename(i.file), same]).toEqual([basename(i.file), !i.patients.includes(changed.id)]);
    }
    const extra: Spec = { id: 'TCGA-T1-1003A', idx: 10, rows: 2, labels: [1, 0, 0, 0], split: 'train', fold: 0 };
    const c = await write(join(tmp, 's3'), [...specs, extra].map((s) => patient(s)));
    const untouched = c.filter((i) => !i.patients.includes(extra.id));
    expect(untouched.length).toBe(c.length - 1);
    for (const i of untouched) expect(bytes(i)).toBe(bytes(before.get(basename(i.file))!));
  });
});

describe('openShardReader', () => {
  const collect = async (it: AsyncIterable<Batch>): Promise<Batch[]> => {
    const out: Batch[] = [];
    for await (const b of it) out.push(b);
    return out;
  };

  it('streams each row of a split exactly once with its pixels and labels, shuffled and seeded per epoch', async () => {
    const infos = await write(join(tmp, 'r'), specs.map((s) => patient(s)));
    const r = await openShardReader(infos.map((i) => i.file));
    if (!r.ok) throw new Error(formatError(r.error));
    const reader = r.value;
    for (const split of ['train', 'val', 'test'] as const) {
      const batches = await collect(reader.batches({ split, batchSize: 5, seed: 1, epoch: 0, shuffleRows: 8, interleave: 2 }));
      const expected = specs.filter((s) => s.split === split);
      const total = expected.reduce((n, s) => n + s.rows, 0);
      expect(batches.reduce((n, b) => n + b.n, 0)).toBe(total);
      expect(reader.countRows({ split })).toBe(total);
      const keys = new Set<string>();
      for (const b of batches) {
        expect(b.x).toHaveLength(b.n * PX);
        expect(b.y).toHaveLength(b.n * 4);
        expect(b.n).toBeLessThanOrEqual(5);
        b.meta.forEach((m, i) => {
          const s = specs.find((q) => q.id === m.patient)!;
          expect(s.split).toBe(split);
          keys.add(`${m.patient}/${m.slice}`);
          const series = m.slice % 2;
          expect(b.x[i * PX + 3]).toBeCloseTo(pixelValue(s.idx, series, m.slice, 3), 3);
          expect([...b.y.subarray(i * 4, i * 4 + 4)]).toEqual(s.labels);
        });
      }
      expect(keys.size).toBe(total);
    }
    const order = async (epoch: number): Promise<string> =>
      (await collect(reader.batches({ split: 'train', batchSize: 4, seed: 9, epoch, shuffleRows: 16 }))).flatMap((b) => b.meta.map((m) => `${m.patient}/${m.slice}`)).join();
    expect(await order(0)).toBe(await order(0));
    expect(await order(1)).not.toBe(await order(0));
  });

  it('gives each fold’s roles from the stored test fold (test = f, val = f+1, train = rest)', async () => {
    const infos = await write(join(tmp, 'f'), specs.map((s) => patient(s)));
    const r = await openShardReader(infos.map((i) => i.file));
    if (!r.ok) throw new Error(formatError(r.error));
    for (let f = 0; f < 3; f++) {
      const seenPatients = new Map<string, Split>();
      for (const split of ['train', 'val', 'test'] as const) {
        for await (const b of r.value.batches({ split, fold: f, batchSize: 16, seed: 2, epoch: 0 })) {
          for (const m of b.meta) {
            const s = specs.find((q) => q.id === m.patient)!;
            expect(splitInFold(s.fold, f, 3)).toBe(split);
            expect(seenPatients.get(m.patient) ?? split).toBe(split); // never in two splits within a fold
            seenPatients.set(m.patient, split);
          }
        }
      }
      expect(seenPatients.size).toBe(specs.length);
    }
    const bad = async (): Promise<void> => {
      for await (const _ of r.value.batches({ split: 'train', fold: 3, batchSize: 4, seed: 1, epoch: 0 })) void _;
    };
    await expect(bad()).rejects.toThrow(/fold must be an integer in 0..2/);
  });

  it('writeShards reports a slice of the wrong size as a value naming the patient and slice', async () => {
    const s = specs[0]!;
    const wrong: PatientRows = { ...patient(s), rows: () => [{ series: 'x', sequence: 'T1', plane: 'axial', slice: 4, pixels: new Float32Array(5) }], rowCount: 1 };
    const r = await writeShards([wrong], { dir: join(tmp, 'bad'), size: SIZE });
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.kind, r.error.item]).toEqual(['tensors.pixels', `${s.id} x slice 4`]);
  });

  it('rejects a file that is not a shard, as a value', async () => {
    const r = await openShardReader([new URL(import.meta.url).pathname]);
    expect(r.ok).toBe(false);
  });
});
