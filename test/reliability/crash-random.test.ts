// Crash safety: SIGKILL a small full pipeline at random moments (seeded), several times, and each
// time check that the next run completes, `verify` is clean, and every deterministic stage's key
// and outputs equal those of an uninterrupted run of the same pipeline on another copy.
// Bounded in time: rounds stop once the budget is used (at least 3 rounds always run).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, fourStagePipeline, logLines, objectsNotMatchingTheirName, readLockFile, rng, sleep, TestProject, walkFiles, type LockEntry } from './helpers.js';

const SEED = Number(process.env['GLIOFLOW_CRASH_SEED'] ?? 20261126);
const ROUNDS = 5;
const MIN_ROUNDS = 3;
const BUDGET_MS = 40_000;

type Trigger = { after: 'ms'; ms: number } | { after: 'items'; items: number; extraMs: number };

/**
 * Starts a run and SIGKILLs it at the trigger: a moment after start (start-up, lock, hashing…),
 * or once N items have finished plus a few ms (inside a stage, between stages, while records are
 * written). Resolves to how it ended.
 */
async function killAt(p: TestProject, trigger: Trigger): Promise<'killed' | 'finished'> {
  writeFileSync(p.itemLog, '');
  const child = spawn(process.execPath, [CLI, 'run', '--no-ui', '--workers', '2'], { cwd: p.dir, env: { ...process.env, NO_COLOR: '1', GLIOFLOW_ITEM_LOG: p.itemLog }, stdio: 'ignore' });
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))).finally(() => (done = true));
  const fire = async (): Promise<void> => {
    if (trigger.after === 'ms') return sleep(trigger.ms);
    while (!done && logLines(p.itemLog).length < trigger.items) await sleep(5);
    await sleep(trigger.extraMs);
  };
  const outcome = await Promise.race([exited.then(() => 'finished' as const), fire().then(() => 'kill' as const)]);
  if (outcome === 'finished' || done) {
    await exited;
    return 'finished';
  }
  child.kill('SIGKILL');
  await exited;
  return 'killed';
}

const essentials = (lock: Record<string, LockEntry>): Record<string, { key: string; outputs: LockEntry['outputs']; deps: string[] }> =>
  Object.fromEntries(Object.entries(lock).map(([name, e]) => [name, { key: e.key, outputs: e.outputs, deps: e.deps.map((d) => d.hash) }]));

describe('crash safety under random SIGKILLs', () => {
  it(`survives SIGKILL at random moments (seed ${SEED}): each next run completes, verifies, and equals an uninterrupted run`, async () => {
    const started = Date.now();
    const random = rng(SEED);
    const crashed = new TestProject('glioflow-crashr-');
    const reference = new TestProject('glioflow-crashr-ref-');
    for (const p of [crashed, reference]) p.makeInputs(8, 2);
    const log: string[] = [];
    let kills = 0;

    for (let round = 0; round < ROUNDS; round++) {
      if (round >= MIN_ROUNDS && Date.now() - started > BUDGET_MS) break;
      // each round changes what must run: a new salt reruns every digest item (and so all
      // downstream stages' work is re-checked), and a changed input file changes one folder
      const yaml = fourStagePipeline({ delayMs: 40, factor: 2 + (round % 2) }).replace('delay_ms: 40', `delay_ms: 40, salt: "round-${round}"`);
      for (const p of [crashed, reference]) {
        p.write('pipeline.yaml', yaml);
        if (round > 0) p.write(`input/f${round}/0.txt`, `${round}\n0\n${round * 10}\n`);
      }

      // the reference: one uninterrupted run, timed to pick kill moments inside a real run
      const t0 = Date.now();
      const ref = reference.run(['--workers', '2']);
      expect(ref.summary.ok).toBe(true);
      const span = Math.max(300, Date.now() - t0);

      // one to three kills in a row (later ones hit the recovery of the earlier), then a full run
      const killsThisRound = 1 + Math.floor(random() * 3);
      for (let k = 0; k < killsThisRound; k++) {
        // 8 digest items, then 8 + 8 transform items: 24 in all when nothing is cached
        const trigger: Trigger = random() < 0.35 ? { after: 'ms', ms: Math.floor(random() * span) } : { after: 'items', items: 1 + Math.floor(random() * 24), extraMs: Math.floor(random() * 40) };
        const how = await killAt(crashed, trigger);
        if (how === 'killed') kills++;
        log.push(`round ${round} kill ${k} ${JSON.stringify(trigger)} (reference run ${span} ms): ${how}, ${logLines(crashed.itemLog).length} items ran`);
      }
      const { summary, result } = crashed.run(['--workers', '2']);
      const context = `${log.join('\n')}\n${result.stderr}`;
      expect(summary.ok, context).toBe(true);

      const verify = crashed.cli(['verify']);
      expect(verify.code, `${context}\n${verify.stdout}`).toBe(0);
      expect(await objectsNotMatchingTheirName(crashed.dir), context).toEqual([]);
      // same keys, same dep hashes, same output bytes for every (deterministic) stage
      expect(essentials(readLockFile(crashed.dir)), context).toEqual(essentials(readLockFile(reference.dir)));
      expect(crashed.read('experiments/summary.json'), context).toBe(reference.read('experiments/summary.json'));
      // and the result is final: nothing left to run
      const again = crashed.run();
      expect(again.itemsRan, context).toEqual([]);
      expect(again.summary.stages.every((s) => s.status === 'cached'), context).toBe(true);
    }
    if (process.env['GLIOFLOW_TEST_VERBOSE']) console.log(log.join('\n'));
    expect(kills, log.join('\n')).toBeGreaterThanOrEqual(2);

    // whatever temporary files and scratch folders the kills left, gc clears (their writers are
    // dead) without harm
    const gc = crashed.cli(['gc', '--keep', '1']);
    expect(gc.code, gc.stderr).toBe(0);
    const leftovers = [...walkFiles(join(crashed.dir, 'cache', 'objects')), ...walkFiles(join(crashed.dir, 'cache', 'items'))].filter((f) => f.includes('.tmp-'));
    expect(leftovers).toEqual([]);
    expect([...walkFiles(join(crashed.dir, 'cache', 'tmp'))]).toEqual([]); // killed runs' scratch folders
    expect(crashed.cli(['verify']).code).toBe(0);
    expect(crashed.run().itemsRan).toEqual([]);
    expect(readFileSync(join(crashed.dir, 'experiments/summary.json'), 'utf8')).toBe(reference.read('experiments/summary.json'));
  });
});
