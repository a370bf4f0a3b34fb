// `glioflow run` where no live screen belongs: stdout piped (CI logs), and in a terminal with
// --no-ui, NO_COLOR=1 or TERM=dumb. The output must be plain lines a log file or grep can take:
// no escape code at all, one timestamped line per event.
import { afterEach, describe, expect, it } from 'vitest';
import type { PtySession } from '../ui/pty-helper.js';
import { fourStagePipeline, TestProject } from '../engine/helpers.js';
import { cliInDumbPty, cliInPty, cliPiped, finished, itemsOf, outputLines, STAGES, takeItemLog } from './cli-terminal.js';

const FOLDERS = 5;
const sessions: PtySession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill('SIGKILL');
});

function project(): TestProject {
  const p = new TestProject('glioflow-ui-plain-');
  p.makeInputs(FOLDERS, 2);
  p.write('pipeline.yaml', fourStagePipeline());
  return p;
}

/** HH:MM:SS of the local clock, as a person reading the log expects. */
const clock = (ms: number): string => new Date(ms).toTimeString().slice(0, 8);

/**
 * Checks a first run's plain log: no escape code, every line `HH:MM:SS text` stamped within the
 * run's wall-clock window, and exactly one line for each event worth a line, in run order.
 */
function expectPlainRunLog(output: string, startedMs: number, endedMs: number, misses: number): void {
  expect(output, 'an escape code in plain output').not.toContain('\u001b');
  const lines = outputLines(output);
  const first = clock(startedMs - 1000);
  const last = clock(endedMs + 1000);
  for (const line of lines) {
    const m = /^(\d{2}:\d{2}:\d{2}) (\S.*)$/.exec(line);
    expect(m, `not a timestamped line: ${JSON.stringify(line)}`).not.toBeNull();
    const stamp = m?.[1] ?? '';
    // (a run straddling midnight would fail this; the window is a few seconds)
    expect(stamp >= first && stamp <= last, `${stamp} outside ${first}–${last}`).toBe(true);
  }
  const texts = lines.map((l) => l.slice(9));
  // Progress lines are throttled (how many depends on timing); every other event has its line.
  const events = texts.filter((t) => !/^\w+: \d+\/\d+ folders/.test(t));
  const number = String.raw`\d+(\.\d)?s`;
  const expected = [
    /^run \S+: 4 stages \(cache \/\S+\)$/,
    ...STAGES.flatMap((stage) => [
      new RegExp(`^${stage}: started \\(never ran\\)$`),
      stage === 'summary'
        ? new RegExp(`^summary: done in ${number}$`)
        : new RegExp(`^${stage}: done in ${number}, ${FOLDERS} items \\(${FOLDERS} ran, 0 cached\\)$`),
    ]),
    new RegExp(`^run finished in ${number}: 4 of 4 stages ran; cache 0 hits, ${misses} misses$`),
  ];
  expect(events, events.join('\n')).toHaveLength(expected.length);
  expected.forEach((re, i) => expect(events[i]).toMatch(re));
  // the completing progress of each item stage always has its line, whatever the throttling
  for (const stage of ['digest', 'double', 'shift']) expect(texts.some((t) => t.startsWith(`${stage}: ${FOLDERS}/${FOLDERS} folders`)), texts.join('\n')).toBe(true);
}

describe('plain output of glioflow run', () => {
  it('stdout is a pipe (colours even forced on): plain timestamped lines, exit 0', async () => {
    const p = project();
    const t0 = Date.now();
    const r = await cliPiped(p, ['run']);
    const t1 = Date.now();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const ran = takeItemLog(p);
    expect(itemsOf(ran, 'digest')).toBe(FOLDERS);
    // engine totals: every stage and every computed item was a cache miss
    expectPlainRunLog(r.stdout, t0, t1, STAGES.length);
  });

  const inTerminal: [string, (p: TestProject) => PtySession][] = [
    ['--no-ui', (p) => cliInPty(p, ['run', '--no-ui'])],
    // (without FORCE_COLOR, which Node would warn about next to NO_COLOR)
    ['NO_COLOR=1', (p) => cliInPty(p, ['run'], { NO_COLOR: '1', FORCE_COLOR: undefined })],
    ['TERM=dumb', (p) => cliInDumbPty(p, ['run'])],
  ];
  it.each(inTerminal)('in a terminal with %s: plain timestamped lines, exit 0', async (_, start) => {
    const p = project();
    const t0 = Date.now();
    const session = start(p);
    sessions.push(session);
    expect((await finished(session)).exitCode).toBe(0);
    const t1 = Date.now();
    const ran = takeItemLog(p);
    expect(itemsOf(ran, 'digest')).toBe(FOLDERS);
    expectPlainRunLog(session.output(), t0, t1, STAGES.length);
  });
});
