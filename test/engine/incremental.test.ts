// The engine's promises on a 4-stage pipeline with item-level work (issue: engine, "Done when").
import { rmSync, utimesSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fourStagePipeline, statusOf, TestProject } from './helpers.js';

describe('incremental runs of a 4-stage pipeline', () => {
  const p = new TestProject();
  beforeAll(() => {
    p.makeInputs(4, 3);
    p.write('pipeline.yaml', fourStagePipeline());
  });

  it('runs everything the first time, every item once', () => {
    const { summary, itemsRan } = p.run();
    expect(summary.ok).toBe(true);
    expect(statusOf(summary)).toEqual({ digest: 'ran', double: 'ran', shift: 'ran', summary: 'ran' });
    expect(itemsRan.filter((i) => i.startsWith('digest'))).toHaveLength(4);
    expect(itemsRan.filter((i) => i.startsWith('transform'))).toHaveLength(8);
    // each folder: 0+1+2 files' values (f + i) … checked against the arithmetic of the stages
    const summaryJson = JSON.parse(p.read('experiments/summary.json')) as { value: number; files: number };
    const expected = [0, 1, 2, 3].reduce((acc, f) => acc + ([0, 1, 2].reduce((s, i) => s + f + i, 0) * 2 + 1), 0);
    expect(summaryJson).toMatchObject({ files: 12, value: expected });
  });

  it('executes nothing on a second run and says so', () => {
    const { summary, itemsRan } = p.run();
    expect(statusOf(summary)).toEqual({ digest: 'cached', double: 'cached', shift: 'cached', summary: 'cached' });
    expect(itemsRan).toEqual([]);
    const plain = p.cli(['run', '--no-ui']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/nothing to run: all 4 stages up to date/);
    expect(p.statusJson().stages.every((s) => s.state === 'fresh')).toBe(true);
  });

  it('reruns nothing when every input is touched', () => {
    const later = new Date(Date.now() + 60_000);
    for (const folder of readdirSync(join(p.dir, 'input'))) {
      for (const file of readdirSync(join(p.dir, 'input', folder))) utimesSync(join(p.dir, 'input', folder, file), later, later);
    }
    expect(p.statusJson().stages.map((s) => s.state)).toEqual(['fresh', 'fresh', 'fresh', 'fresh']);
    const { summary, itemsRan } = p.run();
    expect(statusOf(summary)).toEqual({ digest: 'cached', double: 'cached', shift: 'cached', summary: 'cached' });
    expect(itemsRan).toEqual([]);
  });

  it("reruns a changed param's stage and its dependants only, and status says why", () => {
    p.write('pipeline.yaml', fourStagePipeline({ factor: 3 }));
    const status = p.statusJson().stages;
    expect(status.find((s) => s.name === 'digest')?.state).toBe('fresh');
    expect(status.find((s) => s.name === 'double')?.why).toEqual(['param factor changed: 2 → 3']);
    expect(status.find((s) => s.name === 'shift')?.why).toEqual(['double is stale and runs first']);
    const { summary, itemsRan } = p.run();
    expect(statusOf(summary)).toEqual({ digest: 'cached', double: 'ran', shift: 'ran', summary: 'ran' });
    expect(itemsRan.filter((i) => i.startsWith('digest'))).toEqual([]);
    expect(itemsRan.filter((i) => i.startsWith('transform'))).toHaveLength(8);
  });

  it("reruns only the one item whose file changed, and status names the file", () => {
    p.write('input/f2/1.txt', '2\n1\n100\n');
    const status = p.statusJson().stages;
    expect(status[0]?.why).toEqual(['files changed: input/f2/1.txt (modified)']);
    const { summary, itemsRan } = p.run();
    expect(summary.stages.find((s) => s.name === 'digest')?.items).toEqual({ total: 4, ran: 1, cached: 3 });
    expect(itemsRan).toEqual(['digest f2', 'transform f2', 'transform f2']);
  });

  it('restores a deleted materialised output from the cache without recomputing', () => {
    const before = p.read('experiments/summary.json');
    rmSync(join(p.dir, 'experiments/summary.json'));
    const status = p.statusJson().stages.find((s) => s.name === 'summary');
    expect(status?.restores).toEqual(['experiments/summary.json']);
    const { summary, itemsRan } = p.run();
    expect(statusOf(summary).summary).toBe('cached');
    expect(itemsRan).toEqual([]);
    expect(p.read('experiments/summary.json')).toBe(before);
  });

  it('brings back the old results when a param is changed back, without running', () => {
    p.write('pipeline.yaml', fourStagePipeline({ factor: 3 }));
    p.run();
    p.write('input/f2/1.txt', '2\n1\n');
    p.write('pipeline.yaml', fourStagePipeline({ factor: 2 }));
    const { summary, itemsRan } = p.run();
    // the item results for this content and these params were all computed earlier
    expect(itemsRan).toEqual([]);
    expect(summary.ok).toBe(true);
  });
});
