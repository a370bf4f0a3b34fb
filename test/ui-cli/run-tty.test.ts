// `glioflow run` on a terminal: the live Ink screen, judged by its final frame as a terminal
// emulator shows it after the process has exited (not by grepping the byte stream, which holds
// every frame Ink drew).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PtySession } from '../ui/pty-helper.js';
import { fourStagePipeline, TestProject } from '../engine/helpers.js';
import { cliInPty, finished, ITEM_STAGES, itemsOf, screenOf, STAGES, takeItemLog } from './cli-terminal.js';

const FOLDERS = 6;
const sessions: PtySession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill('SIGKILL');
});

// ANSI palette numbers as xterm decodes them
const GREEN = 2;

describe('glioflow run in a terminal (100×40)', () => {
  it('leaves a final frame with every stage done, then every stage cached, and exits 0', async () => {
    const p = new TestProject('glioflow-ui-tty-');
    p.makeInputs(FOLDERS, 2);
    p.write('pipeline.yaml', fourStagePipeline());

    // ---- first run: everything computes
    const first = cliInPty(p, ['run']);
    sessions.push(first);
    expect((await finished(first)).exitCode).toBe(0);
    const ran = takeItemLog(p);
    // the item log names digest items `digest F` and those of both transform stages `transform F`
    expect(itemsOf(ran, 'digest')).toBe(FOLDERS);
    expect(itemsOf(ran, 'transform')).toBe(2 * FOLDERS);
    expect(existsSync(join(p.dir, 'experiments/summary.json'))).toBe(true);

    const screen1 = await screenOf(first.output());
    const text1 = screen1.lines.join('\n');
    // Ink erased every earlier frame: the title is on screen once, and the frame is exactly
    // title, one line per stage, footer.
    expect(screen1.lines, text1).toHaveLength(1 + STAGES.length + 1);
    expect(screen1.lines[0]).toBe('glioflow run (default profile)');
    STAGES.forEach((stage, i) => {
      const line = screen1.lines[1 + i] ?? '';
      // glyph, name, elapsed, and for item stages the item count of the item log
      const detail = (ITEM_STAGES as readonly string[]).includes(stage) ? `  ${FOLDERS} items` : '';
      expect(line, text1).toMatch(new RegExp(`^✓ ${stage}\\s+\\d+(\\.\\d)?s${detail}$`));
      // the glyph of a finished stage is green and the stage's name is not dimmed
      expect(screen1.firstCell(1 + i)).toMatchObject({ char: '✓', fg: GREEN, dim: false });
    });
    // The engine's totals count stages: none was found in the cache on the first run.
    const misses = STAGES.length; // stages, not items: every stage ran
    expect(screen1.lines[5], text1).toMatch(new RegExp(`^cache 0 hits · ${misses} misses   elapsed \\d+(\\.\\d)?s$`));

    // ---- second run: nothing computes, every stage is restored from the cache
    const second = cliInPty(p, ['run']);
    sessions.push(second);
    expect((await finished(second)).exitCode).toBe(0);
    expect(takeItemLog(p)).toEqual([]);

    const screen2 = await screenOf(second.output());
    const text2 = screen2.lines.join('\n');
    expect(screen2.lines, text2).toHaveLength(1 + STAGES.length + 1);
    expect(screen2.lines[0]).toBe('glioflow run (default profile)');
    STAGES.forEach((stage, i) => {
      expect(screen2.lines[1 + i], text2).toMatch(new RegExp(`^≡ ${stage}\\s+cached$`));
      // nothing needs attention: the cached glyph is dim
      expect(screen2.firstCell(1 + i)).toMatchObject({ char: '≡', dim: true });
    });
    expect(screen2.lines[5], text2).toMatch(/^cache 4 hits · 0 misses   elapsed \d+(\.\d)?s$/);
  });
});
