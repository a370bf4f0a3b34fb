// Ctrl-C on the live screen: the key (read in raw mode) stops the run, the last frame says that
// the next run resumes, the process exits 130 and frees the cache; the next run completes from
// the items already done and the cache verifies.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PtySession } from '../ui/pty-helper.js';
import { fourStagePipeline, TestProject } from '../engine/helpers.js';
import { cliInPty, finished, itemsOf, outputLines, readItemLog, screenOf, STAGES, takeItemLog, until } from './cli-terminal.js';

const FOLDERS = 12;
const sessions: PtySession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill('SIGKILL');
});

describe('Ctrl-C during glioflow run in a terminal', () => {
  it('stops with exit 130 and the resume message; the next run completes and verify passes', async () => {
    // the result an uninterrupted run gives, to compare the resumed run's with
    const reference = new TestProject('glioflow-ui-int-ref-');
    reference.makeInputs(FOLDERS, 2);
    reference.write('pipeline.yaml', fourStagePipeline());
    expect(reference.run().summary.ok).toBe(true);

    const p = new TestProject('glioflow-ui-int-');
    p.makeInputs(FOLDERS, 2);
    // one worker, 400 ms per folder: digest takes ~5 s, long enough to interrupt it mid-way
    p.write('pipeline.yaml', fourStagePipeline({ delayMs: 400 }));
    const run = cliInPty(p, ['run', '--workers', '1']);
    sessions.push(run);
    // at least one folder done, so there is finished work to keep
    await run.waitFor(new RegExp(`digest .*[1-9]\\d*/${FOLDERS} folders`), 30_000);
    run.ctrlC();
    expect((await finished(run)).exitCode).toBe(130);
    const before = itemsOf(takeItemLog(p), 'digest');
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThan(FOLDERS);
    expect(existsSync(join(p.dir, 'cache', 'run.lock')), 'the run lock was left behind').toBe(false);

    const screen = await screenOf(run.output());
    const text = screen.lines.join('\n');
    expect(screen.lines[0]).toBe('glioflow run (default profile)');
    expect(screen.lines.filter((l) => l.startsWith('glioflow run')), 'an earlier frame was left on screen').toHaveLength(1);
    expect(text).toMatch(/next `glioflow run` resumes/);
    // The interrupted stage is shown as stopped, not as a failure: a Ctrl-C is no error.
    expect(screen.lines[1], text).toMatch(/^– digest\s+\d+(\.\d)?s\s+interrupted$/);
    expect(text).not.toContain('✗');
    expect(text).not.toMatch(/failed/i);
    // the stages after it never started
    for (const [i, stage] of STAGES.slice(1).entries()) expect(screen.lines[2 + i], text).toMatch(new RegExp(`^◌ ${stage}$`));

    // ---- the next run resumes: digest computes only what the first one did not finish
    const again = cliInPty(p, ['run', '--workers', '2']);
    sessions.push(again);
    expect((await finished(again)).exitCode).toBe(0);
    const ranAgain = itemsOf(takeItemLog(p), 'digest');
    const kept = FOLDERS - ranAgain;
    const story = `${before} digest items computed before Ctrl-C, ${ranAgain} after; first run's screen:\n${text}`;
    expect(kept, `no finished item was kept: ${story}`).toBeGreaterThanOrEqual(1);
    expect(kept, story).toBeLessThanOrEqual(before);
    const screen2 = await screenOf(again.output());
    const text2 = screen2.lines.join('\n');
    expect(screen2.lines[1], text2).toMatch(new RegExp(`^✓ digest\\s+\\d+(\\.\\d)?s  ${FOLDERS} items \\(${kept} cached\\)$`));
    for (const [i, stage] of STAGES.slice(1).entries()) expect(screen2.lines[2 + i], text2).toMatch(new RegExp(`^✓ ${stage}\\s`));
    expect(p.read('experiments/summary.json')).toBe(reference.read('experiments/summary.json'));

    const verify = p.cli(['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^ok: \d+ objects and \d+ item results verified$/m);
  });

  it('with --no-ui: Ctrl-C (SIGINT from the terminal) logs plain lines, no FAILED, and exits 130', async () => {
    const p = new TestProject('glioflow-ui-int-plain-');
    p.makeInputs(FOLDERS, 2);
    p.write('pipeline.yaml', fourStagePipeline({ delayMs: 400 }));
    const run = cliInPty(p, ['run', '--no-ui', '--workers', '1']);
    sessions.push(run);
    // progress lines are throttled in plain mode: the item log says when a folder is done
    await run.waitFor('digest: started', 30_000);
    await until(() => itemsOf(readItemLog(p), 'digest') >= 1, 30_000);
    run.ctrlC();
    expect((await finished(run)).exitCode).toBe(130);
    expect(itemsOf(readItemLog(p), 'digest')).toBeLessThan(FOLDERS);
    const out = run.output();
    expect(out).not.toContain('\u001b');
    // (the terminal itself echoes the key as `^C`; that is not the program's output)
    const lines = outputLines(out.replace('^C', ''));
    for (const line of lines) expect(line).toMatch(/^\d{2}:\d{2}:\d{2} \S/);
    // the stopped stage is reported as such, not as a failure, and the run says what resumes
    expect(lines.some((l) => /^\S+ digest: interrupted after \d+(\.\d)?s$/.test(l)), out).toBe(true);
    expect(out).not.toMatch(/fail/i);
    expect(lines.at(-2)).toMatch(/^\S+ interrupted: .*the next `glioflow run` resumes$/);
    expect(lines.at(-1)).toMatch(/^\S+ run interrupted in \d+(\.\d)?s: 0 of 4 stages ran; /);
    expect(existsSync(join(p.dir, 'cache', 'run.lock'))).toBe(false);
  });
});
