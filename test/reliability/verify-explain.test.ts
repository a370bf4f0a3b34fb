// `glioflow verify` finds damaged cache objects and names what they belong to; `glioflow explain`
// gives the provenance chain of a materialised file, back to the raw inputs.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { forgetItem, fourStagePipeline, itemRecordLocation, keyRecord, objectPath, readLockFile, TestProject, walkFiles, xxh64, type LockEntry } from './helpers.js';

interface VerifyJson {
  ok: boolean;
  checked: number;
  checkedItems: number;
  missingItems: number;
  problems: { kind: 'object' | 'item'; hash: string; problem: 'missing' | 'altered'; usedBy: string[] }[];
  unreadable: string[];
}

interface ExplainJson {
  file: string;
  output: string;
  hash: string;
  matches: boolean;
  chain: { stage: string; uses: string; key: string; code: string; params: Record<string, unknown>; deps: { path: string; hash: string; files: number }[]; upstream: Record<string, Record<string, string>>; outputs: Record<string, string> }[];
  unresolved: string[];
}

const verifyJson = (p: TestProject): { code: number | null; report: VerifyJson } => {
  const r = p.cli(['verify', '--json']);
  return { code: r.code, report: JSON.parse(r.stdout) as VerifyJson };
};

describe('verify', () => {
  const p = new TestProject('glioflow-verify-');
  let lock: Record<string, LockEntry>;
  beforeAll(() => {
    p.makeInputs(4, 2);
    p.write('pipeline.yaml', fourStagePipeline());
    expect(p.run().summary.ok).toBe(true);
    lock = readLockFile(p.dir);
  });

  it('is clean on an intact cache and checks every object the lock references', () => {
    const { code, report } = verifyJson(p);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    // the objects: 4 stage outputs and the dep listing; the item results: 4 folders × 3 item stages
    const referenced = new Set(Object.values(lock).flatMap((s) => [...Object.values(s.outputs).map((o) => o.hash), ...s.deps.map((d) => d.listing)]));
    expect(referenced.size).toBe(5);
    expect(report.checked).toBe(referenced.size);
    expect(report.checkedItems).toBe(12);
    expect(report.missingItems).toBe(0);
    expect(p.cli(['verify']).stdout).toMatch(/^ok: 5 objects and 12 item results verified$/m);
  });

  it('names an altered object, a deleted one and an altered item result with their stages and outputs, and exits 1', async () => {
    const digestOut = lock['digest']?.outputs['table.json']?.hash as string;
    const shiftOut = lock['shift']?.outputs['table.json']?.hash as string;
    // flip one byte of digest's output: same size, so only re-hashing can tell
    const file = objectPath(p.dir, digestOut);
    const bytes = readFileSync(file);
    bytes[3] = (bytes[3] as number) ^ 0x01;
    writeFileSync(file, bytes);
    expect(await xxh64(bytes)).not.toBe(digestOut);
    rmSync(objectPath(p.dir, shiftOut));
    // one item result of `double` altered (its last byte: the payload, not the header), another deleted
    const doubleItems = keyRecord(p.dir, lock['double']?.key as string).itemKeys;
    const alteredItem = doubleItems['f1'] as string;
    const where = itemRecordLocation(p.dir, alteredItem);
    if (!where) throw new Error(`item ${alteredItem} is in no index`);
    const packBytes = readFileSync(where.file);
    const last = where.offset + where.length - 1;
    packBytes[last] = (packBytes[last] as number) ^ 0x01;
    writeFileSync(where.file, packBytes);
    forgetItem(p.dir, doubleItems['f2'] as string);

    const { code, report } = verifyJson(p);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    const byHash = new Map(report.problems.map((x) => [x.hash, x]));
    expect(byHash.get(digestOut)).toMatchObject({ problem: 'altered' });
    expect(byHash.get(digestOut)?.usedBy).toContain('digest: output table.json');
    expect(byHash.get(shiftOut)).toMatchObject({ problem: 'missing' });
    expect(byHash.get(shiftOut)?.usedBy).toContain('shift: output table.json');
    expect(byHash.get(alteredItem)).toMatchObject({ kind: 'item', problem: 'altered' });
    expect(byHash.get(alteredItem)?.usedBy).toContain('double: item f1');
    expect(report.problems).toHaveLength(3);
    // a deleted item result is no damage: the item reruns when next needed
    expect(report.missingItems).toBe(1);

    const text = p.cli(['verify']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`altered: object ${digestOut}`);
    expect(text.stdout).toContain(`missing: object ${shiftOut}`);
    expect(text.stdout).toMatch(/used by digest: output table\.json/);
    expect(text.stdout).toMatch(/used by shift: output table\.json/);
    expect(text.stdout).toContain(`altered: item result ${alteredItem}`);
    // named with its pack, its byte range and what is wrong
    expect(text.stdout).toContain(`bytes ${where.offset}–${where.offset + where.length}: content does not match its recorded hash`);
    expect(text.stdout).toMatch(/used by double: item f1/);
    expect(text.stdout).toMatch(/3 missing or altered \(checked 5 objects and 11 item results\)/);
  });

  it("repairs as its hint says: delete the altered object, force the named stages, and it is clean again", () => {
    rmSync(objectPath(p.dir, lock['digest']?.outputs['table.json']?.hash as string));
    const { summary, itemsRan } = p.run(['--force', 'digest', 'double', 'shift']);
    expect(summary.ok).toBe(true);
    // of all the items, only the altered and the deleted results of `double` were recomputed
    expect(itemsRan).toEqual(['transform f1', 'transform f2']);
    const clean = verifyJson(p);
    expect(clean.code).toBe(0);
    expect(clean.report).toMatchObject({ checkedItems: 12, missingItems: 0 });
    // the deterministic stages made the same bytes again
    const after = readLockFile(p.dir);
    for (const stage of ['digest', 'double', 'shift', 'summary']) expect(after[stage]?.outputs).toEqual(lock[stage]?.outputs);
  });

  it('names a manifest that no longer parses', () => {
    const manifest = [...walkFiles(join(p.dir, 'cache', 'manifests', 'summary'))][0] as string;
    const before = readFileSync(manifest);
    writeFileSync(manifest, before.subarray(0, 20));
    const { code, report } = verifyJson(p);
    expect(code).toBe(1);
    expect(report.unreadable).toEqual([manifest.slice(p.dir.length + 1)]);
    writeFileSync(manifest, before);
    expect(verifyJson(p).code).toBe(0);
  });

  it('names an item index it cannot read, instead of failing', () => {
    const bad = join(p.dir, 'cache', 'items', 'index', '0000000000000000.idx');
    mkdirSync(bad); // a folder where an index file goes
    const { code, report } = verifyJson(p);
    expect(code).toBe(1);
    expect(report.unreadable).toEqual(['cache/items/index/0000000000000000.idx']);
    expect(p.cli(['verify']).stdout).toContain('unreadable: cache/items/index/0000000000000000.idx (cannot be read or parsed)');
    rmSync(bad, { recursive: true });
    expect(verifyJson(p).code).toBe(0);
  });
});

describe('explain', () => {
  const p = new TestProject('glioflow-explain-');
  beforeAll(() => {
    p.makeInputs(3, 2);
    p.write('pipeline.yaml', fourStagePipeline());
    expect(p.run().summary.ok).toBe(true);
  });

  const explain = (path = 'experiments/summary.json'): ExplainJson => {
    const r = p.cli(['explain', path, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as ExplainJson;
  };

  it('gives all 4 stages of the chain with keys, params, code and the raw input hash', async () => {
    const lock = readLockFile(p.dir);
    const e = explain();
    expect(e.file).toBe('experiments/summary.json');
    expect(e.matches).toBe(true);
    // the file's own hash, computed here from its bytes
    expect(e.hash).toBe(await xxh64(readFileSync(join(p.dir, 'experiments/summary.json'))));
    expect(e.chain.map((s) => s.stage)).toEqual(['summary', 'shift', 'double', 'digest']);
    for (const step of e.chain) {
      expect(step.key).toBe(lock[step.stage]?.key);
      expect(step.code).toMatch(/^[0-9a-f]{16}$/);
      expect(step.code).toBe(lock[step.stage]?.code);
    }
    // params as written in pipeline.yaml, with the implementation's defaults filled in
    expect(e.chain.map((s) => s.params)).toEqual([
      { to: 'experiments/summary.json', title: 'summary' },
      { factor: 1, offset: 1 },
      { factor: 2, offset: 0 },
      { delay_ms: 0, salt: '' },
    ]);
    // each step read exactly what the next one down the chain wrote
    for (let i = 0; i + 1 < e.chain.length; i++) {
      const down = e.chain[i + 1] as ExplainJson['chain'][number];
      expect(e.chain[i]?.upstream).toEqual({ [down.stage]: down.outputs });
    }
    expect(e.chain[0]?.outputs['summary.json']).toBe(e.hash);
    // the raw input: the whole input/ folder, 6 files, with the lock's content hash
    const digest = e.chain[3];
    expect(digest?.deps).toEqual([{ path: 'input', hash: lock['digest']?.deps[0]?.hash, files: 6 }]);
    expect(digest?.upstream).toEqual({});

    const text = p.cli(['explain', 'experiments/summary.json']);
    expect(text.code).toBe(0);
    for (const step of e.chain) expect(text.stdout).toContain(`${step.stage} (uses `);
    expect(text.stdout).toContain(`key ${lock['double']?.key}`);
    expect(text.stdout).toContain('params {"factor":2,"offset":0}');
    expect(text.stdout).toContain(`reads input: 6 files, hash ${lock['digest']?.deps[0]?.hash}`);
  });

  it('the input hash changes when a raw file does (it is the content, traced to the deps)', () => {
    const before = explain().chain[3]?.deps[0]?.hash;
    p.write('input/f1/0.txt', '1\n0\n7\n');
    expect(p.run().summary.ok).toBe(true);
    const after = explain().chain[3]?.deps[0]?.hash;
    expect(after).not.toBe(before);
    p.write('input/f1/0.txt', '1\n0\n');
    expect(p.run().summary.ok).toBe(true);
    expect(explain().chain[3]?.deps[0]?.hash).toBe(before);
  });

  it('traces the runs that really made the file, not the upstream stages’ newer runs', () => {
    const before = explain();
    // rerun only `double` with another factor: summary.json on disk still comes from factor 2
    p.write('pipeline.yaml', fourStagePipeline({ factor: 5 }));
    const r = p.run(['double']);
    expect(r.summary.ok).toBe(true);
    expect(readLockFile(p.dir)['double']?.params['factor']).toBe(5);
    const e = explain();
    expect(e.chain.map((s) => [s.stage, s.key])).toEqual(before.chain.map((s) => [s.stage, s.key]));
    expect(e.chain[2]?.params['factor']).toBe(2);
    expect(e.unresolved).toEqual([]);
    p.write('pipeline.yaml', fourStagePipeline());
  });

  it('works with -C from another folder, and refuses a file no stage wrote', () => {
    const other = new TestProject('glioflow-explain-other-');
    const r = other.cli(['-C', p.dir, 'explain', 'experiments/summary.json', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as ExplainJson).chain).toHaveLength(4);
    const bad = p.cli(['explain', 'input/f0/0.txt']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/input\/f0\/0\.txt is not an output recorded in pipeline\.lock/);
  });
});
