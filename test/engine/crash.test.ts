// A run killed with SIGKILL mid-stage leaves a cache whose every object still hashes to its
// name and whose every item result still matches its checksum; the next run completes, reusing
// the items whose results were in packs before the kill.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexedItems, logLines as lines, objectsNotMatchingTheirName, waitFor, walkFiles } from '../reliability/helpers.js';
import { fourStagePipeline, statusOf, TestProject } from './helpers.js';

describe('crash safety', () => {
  it('survives SIGKILL mid-stage: the next run completes and the cache verifies', async () => {
    const reference = new TestProject('glioflow-crash-ref-');
    reference.makeInputs(12, 2);
    reference.write('pipeline.yaml', fourStagePipeline());
    const expected = reference.run().summary;
    expect(expected.ok).toBe(true);

    const p = new TestProject('glioflow-crash-');
    p.makeInputs(12, 2);
    p.write('pipeline.yaml', fourStagePipeline({ delayMs: 150 }));
    const child = p.spawnCli(['run', '--no-ui', '--workers', '2']);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // killed once some finished items are in a pack (a result waits at most 0.5 s for one), others still running
    await waitFor(() => lines(p.itemLog).length >= 3 && indexedItems(p.dir).keys.size >= 1, 30_000);
    child.kill('SIGKILL');
    await exited;
    const before = lines(p.itemLog).filter((l) => l.startsWith('digest')).length;
    expect(before).toBeLessThan(12);

    // a kill between write and rename may leave a temporary file, never a damaged file under a name
    expect(await objectsNotMatchingTheirName(p.dir)).toEqual([]);
    const { summary, itemsRan } = p.run();
    expect(summary.ok).toBe(true);
    const digestAgain = itemsRan.filter((l) => l.startsWith('digest')).length;
    expect(digestAgain).toBeLessThan(12); // the items in packs before the kill were kept
    expect(digestAgain).toBeGreaterThanOrEqual(12 - before);
    expect(await objectsNotMatchingTheirName(p.dir)).toEqual([]);
    expect([...walkFiles(join(p.dir, 'cache', 'objects'))].filter((f) => !f.includes('.tmp-')).length).toBeGreaterThan(0);
    expect(p.read('experiments/summary.json')).toBe(reference.read('experiments/summary.json'));
    expect(p.cli(['verify']).code).toBe(0);
  });

  it('stops cleanly on SIGINT, says the next run resumes, and resumes', async () => {
    const p = new TestProject('glioflow-sigint-');
    p.makeInputs(10, 2);
    p.write('pipeline.yaml', fourStagePipeline({ delayMs: 200 }));
    const child = p.spawnCli(['run', '--no-ui', '--workers', '1']);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => lines(p.itemLog).length >= 2, 30_000);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out).toMatch(/next `glioflow run` resumes/);
    expect(existsSync(join(p.dir, 'cache', 'run.lock'))).toBe(false);
    const { summary } = p.run();
    expect(statusOf(summary)).toEqual({ digest: 'ran', double: 'ran', shift: 'ran', summary: 'ran' });
    expect(summary.stages[0]?.items.cached).toBeGreaterThanOrEqual(2);
    expect(p.cli(['verify']).code).toBe(0);
  });
});
