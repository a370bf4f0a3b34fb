// The fast `run` parser must agree with what commander would have made of the same argv, and
// hand everything it does not fully understand to commander.
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/run-args.js';

describe('parseRunArgs (util.parseArgs fast path for `glioflow run`)', () => {
  it('parses the plain forms, with the same defaults commander gives', () => {
    expect(parseRunArgs(['run'])).toEqual({ globals: { cwd: '.', pipeline: 'pipeline.yaml', cache: 'cache' }, stages: [], flags: {} });
    expect(parseRunArgs(['-C', 'proj', 'run', 'train', 'evaluate', '--no-ui', '--json', '--force', '--no-wait', '--workers', '3'])).toEqual({
      globals: { cwd: 'proj', pipeline: 'pipeline.yaml', cache: 'cache' },
      stages: ['train', 'evaluate'],
      flags: { force: true, json: true, ui: false, wait: false, workers: 3 },
    });
    expect(parseRunArgs(['run', '--pipeline=other.yaml', '--cache', 'c2', '--profile', 'demo', '--workers=1'])).toEqual({
      globals: { cwd: '.', pipeline: 'other.yaml', cache: 'c2', profile: 'demo' },
      stages: [],
      flags: { workers: 1 },
    });
  });

  it.each([
    [['status']],
    [[]],
    [['run', '--help']],
    [['run', '-h']],
    [['--version']],
    [['run', '--set', 'size=32']],
    [['run', '--bogus']],
    [['run', '--workers', 'two']],
    [['run', '--workers']],
    [['run', '--', '--force']],
    // run's own options before the verb: commander rejects them, so must we
    [['--force', 'run']],
    [['--json', 'run']],
    [['--no-ui', 'run']],
    [['--workers', '2', 'run']],
    [['-C', 'p', '--no-wait', 'run', 'train']],
  ])('leaves %j to commander', (argv) => {
    expect(parseRunArgs(argv)).toBeUndefined();
  });
});
