// `glioflow status` and `glioflow dag`: on a terminal drawn with the live screen's glyphs and
// styles (Ink), off a terminal the same text with no escape code at all.
import { afterEach, describe, expect, it } from 'vitest';
import type { PtySession } from '../ui/pty-helper.js';
import { fourStagePipeline, TestProject } from '../engine/helpers.js';
import { cliInDumbPty, cliInPty, cliPiped, finished, outputLines, screenOf, STAGES, type Screen } from './cli-terminal.js';

const sessions: PtySession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill('SIGKILL');
});

const YELLOW = 3;

/** runs `glioflow ARGS` in the pty, expects exit 0, returns the raw output and the final screen */
async function inTerminal(start: () => PtySession): Promise<{ raw: string; screen: Screen }> {
  const s = start();
  sessions.push(s);
  expect((await finished(s)).exitCode, s.text()).toBe(0);
  return { raw: s.output(), screen: await screenOf(s.output()) };
}

const stageLine = (lines: readonly string[], stage: string): string => lines.find((l) => new RegExp(`^\\S ${stage}\\s`).test(l)) ?? '';
const rowOf = (screen: Screen, stage: string): number => screen.lines.findIndex((l) => new RegExp(`^\\S ${stage}\\s`).test(l));

describe('glioflow status', () => {
  it('on a terminal: the run screen glyphs, styled; piped or NO_COLOR/TERM=dumb: the same text, plain', async () => {
    const p = new TestProject('glioflow-ui-status-');
    p.makeInputs(4, 2);
    p.write('pipeline.yaml', fourStagePipeline());
    expect(p.cli(['run', 'double']).code).toBe(0);
    // the independent reference: which stages are fresh, as --json says
    const states = Object.fromEntries(p.statusJson().stages.map((s) => [s.name, s.state]));
    expect(states).toEqual({ digest: 'fresh', double: 'fresh', shift: 'stale', summary: 'stale' });

    const piped = await cliPiped(p, ['status']);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout, 'an escape code off a terminal').not.toContain('\u001b');
    const plainLines = outputLines(piped.stdout);
    for (const stage of STAGES) {
      // fresh: the glyph the run screen gives a cached stage; stale: the one of a running stage
      const expected = states[stage] === 'fresh' ? new RegExp(`^≡ ${stage}\\s+fresh$`) : new RegExp(`^● ${stage}\\s+stale: \\S.*$`);
      expect(stageLine(plainLines, stage), piped.stdout).toMatch(expected);
    }
    expect(plainLines).toContain('2 of 4 stages to run');

    const tty = await inTerminal(() => cliInPty(p, ['status']));
    expect(tty.raw, 'no styling on a terminal').toMatch(/\u001b\[[0-9;]*m/);
    // the same words as off the terminal, line for line
    for (const stage of STAGES) expect(stageLine(tty.screen.lines, stage)).toBe(stageLine(plainLines, stage));
    expect(tty.screen.lines).toContain('2 of 4 stages to run');
    // styled as the run screen styles them: what needs doing stands out, what is done is dim
    expect(tty.screen.firstCell(rowOf(tty.screen, 'digest'))).toMatchObject({ char: '≡', dim: true });
    expect(tty.screen.firstCell(rowOf(tty.screen, 'shift'))).toMatchObject({ char: '●', fg: YELLOW, dim: false });

    for (const start of [() => cliInPty(p, ['status'], { NO_COLOR: '1', FORCE_COLOR: undefined }), () => cliInDumbPty(p, ['status'])]) {
      const plainTty = await inTerminal(start);
      expect(plainTty.raw, 'an escape code with NO_COLOR or TERM=dumb').not.toContain('\u001b');
      for (const stage of STAGES) expect(stageLine(outputLines(plainTty.raw), stage)).toBe(stageLine(plainLines, stage));
    }

    // The glyph status gives a fresh stage is the one the run screen gives a cached stage:
    // run in the terminal (digest and double restore from the cache), then status again.
    const run = await inTerminal(() => cliInPty(p, ['run']));
    expect(stageLine(run.screen.lines, 'digest')).toMatch(/^≡ digest\s+cached$/);
    expect(stageLine(run.screen.lines, 'shift')).toMatch(/^✓ shift\s/);
    const after = await inTerminal(() => cliInPty(p, ['status']));
    for (const stage of STAGES) expect(stageLine(after.screen.lines, stage)).toMatch(new RegExp(`^≡ ${stage}\\s+fresh$`));
    expect(after.screen.lines).toContain('all 4 stages fresh');
  });
});

describe('glioflow dag', () => {
  // depth of each stage in fourStagePipeline: a chain digest → double → shift → summary
  const needs: Record<string, string | undefined> = { digest: undefined, double: 'digest', shift: 'double', summary: 'shift' };

  function expectDagLayout(lines: readonly string[]): number {
    expect(lines).toHaveLength(STAGES.length);
    let arrowColumn = -1;
    STAGES.forEach((stage, depth) => {
      const line = lines[depth] ?? '';
      const need = needs[stage];
      // indented two spaces per level, then what it needs
      expect(line).toMatch(new RegExp(`^${' '.repeat(2 * depth)}${stage}${need ? `\\s+← ${need}` : ''}$`));
      if (need) {
        // the needs line up in one column
        const column = line.indexOf('←');
        if (arrowColumn < 0) arrowColumn = column;
        expect(column).toBe(arrowColumn);
      }
    });
    return arrowColumn;
  }

  it('on a terminal: the Ink view, styled; piped: the same text, plain', async () => {
    const p = new TestProject('glioflow-ui-dag-');
    p.makeInputs(2, 1);
    p.write('pipeline.yaml', fourStagePipeline());

    const piped = await cliPiped(p, ['dag']);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout, 'an escape code off a terminal').not.toContain('\u001b');
    const plainLines = outputLines(piped.stdout);
    expectDagLayout(plainLines);

    const tty = await inTerminal(() => cliInPty(p, ['dag']));
    expect(tty.raw, 'no styling on a terminal').toMatch(/\u001b\[[0-9;]*m/);
    expect(tty.screen.lines).toEqual(plainLines);
    const arrow = expectDagLayout(tty.screen.lines);
    // the edges are dim next to the stage names
    expect(tty.screen.cellAt(1, arrow)).toMatchObject({ char: '←', dim: true });
    expect(tty.screen.firstCell(1)).toMatchObject({ char: 'd', dim: false });

    const noColor = await inTerminal(() => cliInPty(p, ['dag'], { NO_COLOR: '1', FORCE_COLOR: undefined }));
    expect(noColor.raw).not.toContain('\u001b');
    expect(outputLines(noColor.raw)).toEqual(plainLines);
  });
});
