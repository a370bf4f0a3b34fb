// Helpers for the end-to-end UI tests: the built CLI in a pseudo-terminal or behind a pipe, and
// the screen a person would see at the end, rebuilt by a real terminal emulator (xterm.js,
// headless) from everything the program wrote — Ink redraws by moving the cursor up and erasing
// lines, so the raw byte stream holds every frame and only an emulator tells which one is left.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import xtermHeadless from '@xterm/headless';
import { spawnPty, type PtyExit, type PtySession } from '../ui/pty-helper.js';
import { CLI, type TestProject } from '../engine/helpers.js';

const { Terminal } = xtermHeadless;

export const COLS = 100;
export const ROWS = 40;
export const STAGES = ['digest', 'double', 'shift', 'summary'] as const;
/** stages of the 4-stage pipeline that map items (summary works on the whole table) */
export const ITEM_STAGES = ['digest', 'double', 'shift'] as const;

/** One cell's look, as the emulator decoded it from the SGR codes. */
export interface CellStyle {
  char: string;
  /** ANSI palette colour (0–15) of the foreground, or null for the default colour */
  fg: number | null;
  dim: boolean;
  bold: boolean;
}

export interface Screen {
  /** the lines of the buffer (scroll-back and screen), each without trailing blanks, trailing empty lines removed */
  lines: string[];
  /** style of the first non-blank cell of line `row` */
  firstCell(row: number): CellStyle;
  /** style of the cell at line `row`, column `col` (0-based) */
  cellAt(row: number, col: number): CellStyle;
}

/** Feeds `output` into a cols×rows terminal emulator and returns what it shows. */
export async function screenOf(output: string, cols = COLS, rows = ROWS): Promise<Screen> {
  const term = new Terminal({ cols, rows, scrollback: 1000, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(output, resolve));
  const buffer = term.buffer.active;
  const lines: string[] = [];
  // trailing blanks are invisible (Ink pads some lines with spaces); drop them
  for (let i = 0; i < buffer.length; i++) lines.push((buffer.getLine(i)?.translateToString(true) ?? '').trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  // every cell's look, read before the emulator is disposed
  const cells: CellStyle[][] = [];
  for (let row = 0; row < lines.length; row++) {
    const line = buffer.getLine(row);
    const styles: CellStyle[] = [];
    for (let x = 0; x < cols; x++) {
      const cell = line?.getCell(x);
      styles.push(
        cell
          ? { char: cell.getChars(), fg: cell.isFgPalette() ? cell.getFgColor() : null, dim: cell.isDim() !== 0, bold: cell.isBold() !== 0 }
          : { char: '', fg: null, dim: false, bold: false },
      );
    }
    cells.push(styles);
  }
  term.dispose();
  const fail = (what: string): never => {
    throw new Error(`${what}; the screen:\n${lines.join('\n')}`);
  };
  return {
    lines,
    firstCell(row) {
      return cells[row]?.find((c) => c.char.trim() !== '') ?? fail(`screen line ${row} is blank or absent`);
    },
    cellAt(row, col) {
      return cells[row]?.[col] ?? fail(`no cell at line ${row}, column ${col}`);
    },
  };
}

/**
 * Environment of a person at a colour terminal: colours forced on (the pty helper sets CI=0,
 * which alone would make chalk drop colours) and nothing that asks for plain output.
 */
export const PERSON_AT_TERMINAL: Record<string, string | undefined> = { FORCE_COLOR: '1', NO_COLOR: undefined };

/** `glioflow ARGS` in a 100×40 pseudo-terminal in the project folder, logging computed items. */
export function cliInPty(project: TestProject, args: readonly string[], env: Record<string, string | undefined> = {}): PtySession {
  return spawnPty(process.execPath, [CLI, ...args], { cwd: project.dir, cols: COLS, rows: ROWS, env: { ...PERSON_AT_TERMINAL, GLIOFLOW_ITEM_LOG: project.itemLog, ...env } });
}

/**
 * The same with TERM=dumb. node-pty sets TERM to the terminal's `name` (the helper passes
 * xterm-256color), overriding TERM from `env`, so `env` sets it between the pty and the CLI.
 */
export function cliInDumbPty(project: TestProject, args: readonly string[], env: Record<string, string | undefined> = {}): PtySession {
  return spawnPty('/usr/bin/env', ['TERM=dumb', process.execPath, CLI, ...args], { cwd: project.dir, cols: COLS, rows: ROWS, env: { ...PERSON_AT_TERMINAL, GLIOFLOW_ITEM_LOG: project.itemLog, ...env } });
}

/**
 * Waits for the exit, then for the output to go quiet: node-pty can report the exit before it
 * has read the last bytes the program wrote (the final frame).
 */
export async function finished(session: PtySession, timeoutMs = 45_000): Promise<PtyExit> {
  const exit = await session.waitForExit(timeoutMs);
  let seen = -1;
  for (let i = 0; i < 40 && session.output().length !== seen; i++) {
    seen = session.output().length;
    await new Promise((r) => setTimeout(r, 50));
  }
  return exit;
}

export interface PipedResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `glioflow ARGS` with stdout and stderr to pipes (no TTY), without NO_COLOR and with colours
 * forced on: only the missing terminal may decide that the output is plain.
 */
export function cliPiped(project: TestProject, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<PipedResult> {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...PERSON_AT_TERMINAL, TERM: 'xterm-256color', GLIOFLOW_ITEM_LOG: project.itemLog, ...env })) if (v !== undefined) merged[k] = v;
  const child = spawn(process.execPath, [CLI, ...args], { cwd: project.dir, env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`glioflow ${args.join(' ')} did not exit within 45 s:\n${stdout}\n${stderr}`));
    }, 45_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Lines of the item log: one per item a worker really computed (`digest f3`, `transform f3`). */
export function readItemLog(project: TestProject): string[] {
  return existsSync(project.itemLog) ? readFileSync(project.itemLog, 'utf8').split('\n').filter(Boolean) : [];
}

/** The item log's lines, then clears it for the next run. */
export function takeItemLog(project: TestProject): string[] {
  const lines = readItemLog(project);
  writeFileSync(project.itemLog, '');
  return lines;
}

/** Polls `check` every 25 ms until it holds; rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Item-log lines of one item function: `digest` (folder-digest) or `transform` (both folder-transform stages). */
export const itemsOf = (log: readonly string[], fn: 'digest' | 'transform'): number => log.filter((l) => l.startsWith(`${fn} `)).length;

/** Lines of terminal output (the pty turns \n into \r\n). */
export const outputLines = (text: string): string[] => text.split(/\r?\n/).filter((l) => l !== '');
