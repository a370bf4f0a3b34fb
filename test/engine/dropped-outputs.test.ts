// A file under experiments/ that the stage's current run no longer makes (its output moved) is
// removed, so nobody reads a stale copy as a result; one edited since it was written is left,
// with a warning. Going back to the old param brings the old file back from the cache.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fourStagePipeline, statusOf, TestProject } from './helpers.js';

const withSummaryAt = (to: string): string => fourStagePipeline().replace('to: experiments/summary.json', `to: ${to}`);

describe('materialised outputs a run no longer makes', () => {
  const p = new TestProject('glioflow-dropped-');
  beforeAll(() => {
    p.makeInputs(2, 2);
    p.write('pipeline.yaml', fourStagePipeline());
    expect(p.run().summary.ok).toBe(true);
    expect(existsSync(join(p.dir, 'experiments/summary.json'))).toBe(true);
  });

  it('removes the old file when the output moves, and says so', () => {
    p.write('pipeline.yaml', withSummaryAt('experiments/moved/summary.json'));
    const { summary, result } = p.run();
    expect(statusOf(summary)).toMatchObject({ summary: 'ran' });
    expect(existsSync(join(p.dir, 'experiments/moved/summary.json'))).toBe(true);
    expect(existsSync(join(p.dir, 'experiments/summary.json'))).toBe(false);
    expect(result.stderr).toContain('removed experiments/summary.json: no longer an output of summary');
  });

  it('brings it back from the cache (and removes the moved one) when the param goes back', () => {
    p.write('pipeline.yaml', fourStagePipeline());
    const { summary } = p.run();
    expect(statusOf(summary)).toMatchObject({ summary: 'cached' });
    expect(existsSync(join(p.dir, 'experiments/summary.json'))).toBe(true);
    expect(existsSync(join(p.dir, 'experiments/moved/summary.json'))).toBe(false);
  });

  it('leaves a file edited since it was written, with a warning', () => {
    writeFileSync(join(p.dir, 'experiments/summary.json'), '{"my": "notes"}\n');
    p.write('pipeline.yaml', withSummaryAt('experiments/moved/summary.json'));
    const { summary, result } = p.run();
    expect(summary.ok).toBe(true);
    expect(p.read('experiments/summary.json')).toBe('{"my": "notes"}\n');
    expect(result.stderr).toContain('left experiments/summary.json: no longer an output of summary, but edited since it was written');
  });

  it("never removes a path another stage materialises, even one this stage wrote before", () => {
    const two = (a: string, b: string): string =>
      `${fourStagePipeline().replace('to: experiments/summary.json', `to: ${a}`)}  summary2:\n    uses: folder-summary\n    needs: [shift]\n    params: { to: ${b} }\n`;
    p.write('pipeline.yaml', two('experiments/a.json', 'experiments/b.json'));
    expect(p.run().summary.ok).toBe(true);
    // summary takes over b.json; summary2 moves on to c.json
    p.write('pipeline.yaml', two('experiments/b.json', 'experiments/c.json'));
    const { summary } = p.run();
    expect(summary.ok).toBe(true);
    expect(existsSync(join(p.dir, 'experiments/a.json'))).toBe(false);
    expect(existsSync(join(p.dir, 'experiments/b.json'))).toBe(true);
    expect(existsSync(join(p.dir, 'experiments/c.json'))).toBe(true);
    // and a run with nothing to do leaves them all
    expect(p.run().summary.ok).toBe(true);
    expect(existsSync(join(p.dir, 'experiments/b.json'))).toBe(true);
  });
});
