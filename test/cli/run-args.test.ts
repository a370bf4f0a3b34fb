// The fast `run` parser must agree with what commander makes of the same argv — checked here by running
// commander's program (its `run` action replaced by a hook that records what it was given) — and hand
// everything it does not fully understand to commander.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { parseRunArgs, type ParsedRun } from '../../src/cli/run-args.js';
import { CLI } from '../engine/helpers.js';

/** What commander's program passes to `run` for `glioflow ARGV`, or the error it stops with. */
async function viaCommander(argv: readonly string[]): Promise<ParsedRun | CommanderError> {
  let got: ParsedRun | undefined;
  const program = buildProgram({
    run: async (parsed) => {
      got = parsed;
      return 0;
    },
  });
  program.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  for (const verb of program.commands) verb.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  try {
    await program.parseAsync(['node', 'glioflow', ...argv]);
  } catch (error) {
    if (error instanceof CommanderError) return error;
    throw error;
  }
  if (!got) throw new Error(`commander did not run \`run\` for ${JSON.stringify(argv)}`);
  return got;
}

const PLAIN: string[][] = [
  ['run'],
  ['-C', 'proj', 'run', 'train', 'evaluate', '--no-ui', '--json', '--force', '--no-wait', '--workers', '3'],
  ['run', '--pipeline=other.yaml', '--cache', 'c2', '--profile', 'demo', '--workers=1'],
  ['run', '--set', 'size=32', 'train'],
  ['--set', 'size=32', '--set', 'seed=1', 'run', 'cluster'],
  ['run', 'cluster', '--set=size=32'],
];

describe('parseRunArgs (util.parseArgs fast path for `glioflow run`)', () => {
  it.each(PLAIN.map((argv) => [argv.join(' '), argv] as const))('takes `%s` exactly as commander does', async (_, argv) => {
    const fast = parseRunArgs(argv);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await viaCommander(argv));
  });

  it('reads --set once per occurrence: a stage after it stays a stage', async () => {
    expect(await viaCommander(['run', '--set', 'size=32', 'train'])).toMatchObject({ stages: ['train'], globals: { set: ['size=32'] } });
    expect(parseRunArgs(['--set', 'a=1', '--set', 'b=2', 'run'])?.globals.set).toEqual(['a=1', 'b=2']);
  });

  it.each([
    [['status']],
    [[]],
    [['run', '--help']],
    [['run', '-h']],
    [['--version']],
    [['run', '--bogus']],
    [['run', '--workers', 'two']],
    [['run', '--workers', '0']],
    [['run', '--workers', '2x']],
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

  it.each([[['run', '--workers', 'two']], [['run', '--workers', '0']], [['run', '--workers', '2x']], [['run', '--workers', '-1']], [['--force', 'run']]])(
    'commander rejects %j as a usage error',
    async (argv) => {
      const r = await viaCommander(argv);
      expect(r).toBeInstanceOf(CommanderError);
      expect((r as CommanderError).exitCode).not.toBe(0);
    },
  );

  it('a usage error exits 2 and says what is wrong (the built CLI)', () => {
    // in an empty folder: were the flag taken, the run would stop at the missing pipeline.yaml (exit 2 too, other text)
    const cwd = mkdtempSync(join(tmpdir(), 'glioflow-usage-'));
    const r = spawnSync(process.execPath, [CLI, 'run', '--workers', '0'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    rmSync(cwd, { recursive: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--workers <n>' argument '0' is invalid\. expected a whole number ≥ 1/);
  });
});
